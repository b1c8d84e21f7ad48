using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace McpCqrs.Bench.FanOut;

/// <summary>
/// Has a .NET process run a full, blocking garbage collection through its diagnostics port — an EventPipe session
/// that asks for the runtime's GC heap-collect keyword, as <c>dotnet-gcdump</c> does — and waits for the collection's
/// end event. Resident memory read after it is the host's once the garbage of the setup is collected; the collector
/// gives memory back to the system later, if at all, so the reading is often the same as the one before it (the
/// harness prints both).
/// </summary>
internal static class HeapCollection
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task CollectAsync(int pid, TimeSpan patience)
    {
        var client = new DiagnosticsClient(pid);
        using var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword),
            requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var induced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inducedGc = -1L;
        source.Clr.GCStart += e =>
        {
            if (e.Depth == 2 && e.Reason is Microsoft.Diagnostics.Tracing.Parsers.Clr.GCReason.Induced or Microsoft.Diagnostics.Tracing.Parsers.Clr.GCReason.InducedNotForced)
            {
                Interlocked.CompareExchange(ref inducedGc, e.Count, -1);
            }
        };
        source.Clr.GCStop += e =>
        {
            if (e.Count == Interlocked.Read(ref inducedGc))
            {
                induced.TrySetResult();
            }
        };
        var reading = Task.Run(source.Process);
        var first = await Task.WhenAny(induced.Task, reading).WaitAsync(patience);
        using var stopping = new CancellationTokenSource(patience);
        await session.StopAsync(stopping.Token);
        await reading.WaitAsync(patience);
        if (first != induced.Task)
        {
            throw new InvalidOperationException($"The event stream of process {pid} ended before its induced collection did.");
        }
    }

    public static async Task CollectAsync(IEnumerable<int> pids, TimeSpan patience)
    {
        foreach (var pid in pids)
        {
            await CollectAsync(pid, patience);
        }
    }
}
