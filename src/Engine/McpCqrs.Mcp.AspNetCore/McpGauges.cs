using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp.Sessions;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>The gauges that observe the transport: live sessions and open SSE streams. Created once per host.</summary>
internal sealed class McpGauges
{
    public McpGauges(ISessionStore sessions, OpenStreams streams)
    {
        ApplicationTelemetry.Meter.CreateObservableGauge(
            "mcp.server.sessions.active",
            () =>
            {
                var count = sessions.CountAsync(CancellationToken.None);
                return count.Wait(TimeSpan.FromSeconds(1)) ? count.Result : 0L;
            },
            "{session}",
            "Live MCP sessions (2025-11-25 era).");
        ApplicationTelemetry.Meter.CreateObservableGauge(
            "mcp.server.sse.streams.active",
            () => (long)streams.OpenCount,
            "{stream}",
            "Open standalone SSE streams on this instance.");
    }
}
