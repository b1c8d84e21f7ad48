using System.Diagnostics.Metrics;
using McpCqrs.Mcp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Mcp;

/// <summary>
/// Post-commit effects — a resource-updated or list-changed notification, a task change told to other instances
/// or to a session — are best-effort: they run after the write they announce is committed, so their failure (Redis
/// down, a session gone) must never turn that write into an error, nor stop the announcements beside it. Each
/// failure is logged once, as a warning, and counted in <c>mcpcqrs.announcements.failed</c> (tagged with its kind);
/// nothing is thrown. There is no outbox: a client that missed an announcement reads the resource or task again.
/// </summary>
public static partial class Announcements
{
    /// <summary>A notification of a resource's change (<c>notifications/resources/updated</c>, listen streams).</summary>
    public const string ResourceUpdated = "resource-updated";

    /// <summary>A task change told to the other instances, a listen stream or the session that created the task.</summary>
    public const string TaskChanged = "task-changed";

    /// <summary>A change of the tool, resource or prompt list.</summary>
    public const string ListChanged = "list-changed";

    /// <summary>The end of a session told to the other instances (so they end its running requests).</summary>
    public const string SessionEnded = "session-ended";

    private static readonly Counter<long> Failed = ApplicationTelemetry.Meter.CreateCounter<long>(
        "mcpcqrs.announcements.failed",
        "{announcement}",
        "Post-commit announcements that could not be made (the write they announce stands).");

    /// <summary>
    /// Runs <paramref name="announce"/>; a failure (cancellation included) is logged and counted, never thrown.
    /// <paramref name="kind"/> is one of the constants of this class (the metric's tag); <paramref name="subject"/>
    /// (a URI, a task id) goes to the log only. True when the announcement was made.
    /// </summary>
    public static async ValueTask<bool> TryAsync(string kind, string subject, Func<ValueTask> announce, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(announce);
        try
        {
            await announce();
            return true;
        }
        catch (Exception ex)
        {
            Failed.Add(1, new KeyValuePair<string, object?>("kind", kind));
            LogFailed(logger, ex, kind, subject);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce {Kind} of {Subject}; what it announces is committed and stands")]
    private static partial void LogFailed(ILogger logger, Exception exception, string kind, string subject);
}
