using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace McpCqrs.Bench.FanOut;

/// <summary>
/// Has a .NET process run a full, blocking garbage collection through its diagnostics port — an EventPipe session
/// that asks for the runtime's GC heap-collect keyword, as <c>dotnet-gcdump</c> does — and waits for the collection's
/// end event. Resident memory read after it is the host's once the garbage of the setup is collected; the collector
/// gives memory back to the system later, if at all, so the reading is often the same as the one before it (the
/// harness prints both). The collection's own heap statistics give the managed heap's size after it (all generations,
/// large and pinned objects, with the free fragments the collection leaves between survivors): unlike resident memory,
/// that does not include what the collector keeps committed beyond the heap.
/// </summary>
internal static class HeapCollection
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>Collects, and returns the managed heap's size after the collection (survivors and the fragments between them).</summary>
    public static async Task<long> CollectAsync(int pid, TimeSpan patience)
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
        // The collection's heap statistics and its end event may come in either order: done when both have.
        var live = -1L;
        var stopped = 0;
        void Finish()
        {
            if (Volatile.Read(ref stopped) == 1 && Interlocked.Read(ref live) >= 0)
            {
                induced.TrySetResult();
            }
        }

        source.Clr.GCHeapStats += e =>
        {
            if (Interlocked.Read(ref inducedGc) >= 0 && Interlocked.Read(ref live) < 0)
            {
                Interlocked.Exchange(ref live, e.GenerationSize0 + e.GenerationSize1 + e.GenerationSize2 + e.GenerationSize3 + e.GenerationSize4);
                Finish();
            }
        };
        source.Clr.GCStop += e =>
        {
            if (e.Count == Interlocked.Read(ref inducedGc))
            {
                Volatile.Write(ref stopped, 1);
                Finish();
            }
        };
        var reading = Task.Run(source.Process);
        var first = await Task.WhenAny(induced.Task, reading).WaitAsync(patience);
        using var stopping = new CancellationTokenSource(patience);
        await session.StopAsync(stopping.Token);
        await reading.WaitAsync(patience);
        if (first != induced.Task)
        {
            throw new InvalidOperationException($"The event stream of process {pid} ended before its induced collection and its heap statistics did.");
        }

        return Interlocked.Read(ref live);
    }

    /// <summary>Collects in each process; their managed heaps' sizes after it, summed.</summary>
    public static async Task<long> CollectAsync(IEnumerable<int> pids, TimeSpan patience)
    {
        var live = 0L;
        foreach (var pid in pids)
        {
            live += await CollectAsync(pid, patience);
        }

        return live;
    }
}
