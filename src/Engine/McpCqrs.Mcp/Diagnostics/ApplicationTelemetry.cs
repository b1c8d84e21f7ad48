using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpCqrs.Mcp.Diagnostics;

/// <summary>
/// The project's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>McpCqrs</c>: a span per MCP
/// method and per mediator request below it, and the MCP server metrics. Without a listener both cost a branch.
/// </summary>
public static class ApplicationTelemetry
{
    public const string SourceName = "McpCqrs";

    private static readonly string? Version = typeof(ApplicationTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(SourceName, Version);

    public static readonly Meter Meter = new(SourceName, Version);

    /// <summary>Every MCP request handled, by method and binding (tool, resource template or prompt).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("mcp.server.requests", "{request}", "MCP requests handled.");

    /// <summary>How long MCP requests take, by method, binding and error type (OpenTelemetry MCP semantic conventions).</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "mcp.server.operation.duration",
        "s",
        "Duration of MCP requests.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Requests refused by a rate limit, by binding and policy.</summary>
    public static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>("mcpcqrs.rate_limit.rejections", "{request}", "Requests refused by a rate limit.");
}
