using System.Diagnostics;

namespace McpCqrs.Bench.FanOut;

/// <summary>One instance, STREAMS GET streams, one `broadcast` of COUNT notifications: how fast all of them arrive.</summary>
internal static class BurstRun
{
    public static async Task<int> RunAsync(Uri url, int streams, int count)
    {
        using var http = McpSessions.Client(streams + 8);
        var mcp = new McpSessions(http);
        var sessions = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => mcp.OpenAsync(url)));
        var received = new int[streams];
        var done = new TaskCompletionSource();
        var remaining = streams;
        var opened = new CountdownEvent(streams);
        using var stop = new CancellationTokenSource();

        async Task ListenAsync(int index)
        {
            using var response = await mcp.ListenAsync(url, sessions[index], stop.Token);
            opened.Signal();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("notifications/bench/tick", StringComparison.Ordinal)
                    && ++received[index] == count && Interlocked.Decrement(ref remaining) == 0)
                {
                    done.TrySetResult();
                }
            }
        }

        var listeners = Enumerable.Range(0, streams).Select(i => Task.Run(() => ListenAsync(i))).ToArray();
        opened.Wait(TimeSpan.FromSeconds(30));
        await Task.Delay(500); // every stream is subscribed before the first notification

        var clock = Stopwatch.StartNew();
        await mcp.PostAsync(url, sessions[0], McpSessions.Broadcast(count));
        var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(60))) == done.Task;
        clock.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(listeners).ContinueWith(_ => { }, TaskScheduler.Default);
        await Task.WhenAll(sessions.Select(session => mcp.CloseAsync(url, session)));

        var delivered = received.Sum();
        Console.WriteLine(finished
            ? $"fan-out: {streams} streams x {count} notifications = {delivered} delivered in {clock.Elapsed.TotalSeconds:F2} s: {delivered / clock.Elapsed.TotalSeconds:F0} notifications/s"
            : $"fan-out: only {delivered} of {streams * count} notifications arrived within 60 s");
        return finished ? 0 : 1;
    }
}
