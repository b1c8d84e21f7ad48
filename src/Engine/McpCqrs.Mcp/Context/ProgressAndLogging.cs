using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Context;

/// <summary>
/// Lets a handler report how far it is. Over MCP it becomes <c>notifications/progress</c> when the client sent a
/// <c>progressToken</c>; otherwise (REST, background jobs, no token) it does nothing.
/// </summary>
public interface IProgressReporter
{
    ValueTask ReportAsync(double progress, double? total = null, string? message = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Log messages meant for the client (<c>notifications/message</c>), filtered by the level the client set with
/// <c>logging/setLevel</c>. Outside MCP it does nothing.
/// </summary>
public interface IMcpClientLogger
{
    ValueTask LogAsync(LoggingLevel level, object data, string? logger = null, CancellationToken cancellationToken = default);
}

internal sealed class McpProgressReporter(IMcpRequestContext context) : IProgressReporter
{
    public ValueTask ReportAsync(double progress, double? total = null, string? message = null, CancellationToken cancellationToken = default)
    {
        if (context.Task is { } task)
        {
            // A task reports through its status message (a task has no progress notifications in 2026-07-28).
            var at = total is { } of ? FormattableString.Invariant($"{progress}/{of}") : FormattableString.Invariant($"{progress}");
            return task.ReportAsync(message is null ? at : $"{message} ({at})", cancellationToken);
        }

        if (context.ProgressToken is not { } token || context.Outbound is not { } outbound)
        {
            return ValueTask.CompletedTask;
        }

        var parameters = new JsonObject
        {
            ["progressToken"] = JsonSerializer.SerializeToNode(token, McpJsonUtilities.DefaultOptions),
            ["progress"] = progress,
        };
        if (total is { } t)
        {
            parameters["total"] = t;
        }

        if (message is not null)
        {
            parameters["message"] = message;
        }

        return outbound.SendAsync(new JsonRpcNotification { Method = NotificationMethods.ProgressNotification, Params = parameters }, cancellationToken);
    }
}

internal sealed class McpClientLogger(IMcpRequestContext context, McpServerInfo server) : IMcpClientLogger
{
    public ValueTask LogAsync(LoggingLevel level, object data, string? logger = null, CancellationToken cancellationToken = default)
    {
        // The stateless revision logs only when the request asked for it (its own logLevel).
        var threshold = context.LogLevel ?? (context.Era == McpEra.Stateless ? null : server.DefaultLogLevel);
        if (context.Outbound is not { } outbound || threshold is not { } minimum || level < minimum)
        {
            return ValueTask.CompletedTask;
        }

        var parameters = new JsonObject
        {
            ["level"] = JsonSerializer.SerializeToNode(level, McpJsonUtilities.DefaultOptions),
            ["data"] = JsonSerializer.SerializeToNode(data, data.GetType(), McpJsonUtilities.DefaultOptions),
        };
        if (logger is not null)
        {
            parameters["logger"] = logger;
        }

        return outbound.SendAsync(new JsonRpcNotification { Method = NotificationMethods.LoggingMessageNotification, Params = parameters }, cancellationToken);
    }
}
