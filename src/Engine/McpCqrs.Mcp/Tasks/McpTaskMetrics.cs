using System.Diagnostics;
using System.Diagnostics.Metrics;
using McpCqrs.Mcp.Diagnostics;

namespace McpCqrs.Mcp.Tasks;

/// <summary>Task metrics on the project's meter, and the source of the <c>mcp.task.run</c> spans.</summary>
public static class McpTaskMetrics
{
    public static ActivitySource Source => ApplicationTelemetry.Source;

    private static readonly Counter<long> CreatedCounter = ApplicationTelemetry.Meter.CreateCounter<long>("mcpcqrs.tasks.created", "{task}", "Tasks created, by tool.");

    private static readonly Counter<long> FinishedCounter = ApplicationTelemetry.Meter.CreateCounter<long>("mcpcqrs.tasks.finished", "{task}", "Tasks that ended on this instance, by status.");

    private static readonly UpDownCounter<long> QueueLength = ApplicationTelemetry.Meter.CreateUpDownCounter<long>("mcpcqrs.tasks.queued", "{task}", "Tasks waiting for a worker slot on this instance.");

    private static readonly Histogram<double> Duration = ApplicationTelemetry.Meter.CreateHistogram<double>("mcpcqrs.tasks.duration", "s", "How long tasks ran, by status.");

    public static void Created(string tool) => CreatedCounter.Add(1, new KeyValuePair<string, object?>("gen_ai.tool.name", tool));

    public static void Queued(int change) => QueueLength.Add(change);

    public static void Finished(McpTaskStatus status, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("mcp.task.status", McpTaskWire.StatusName(status));
        FinishedCounter.Add(1, tag);
        Duration.Record(elapsed.TotalSeconds, tag);
    }
}
