using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace McpCqrs.Bench.FanOut;

/// <summary>What one scale run does (see Program.cs).</summary>
internal sealed record ScaleSettings(
    IReadOnlyList<Uri> Urls,
    int Streams,
    IReadOnlyList<int> HostPids,
    int? RedisPid,
    int SettleSeconds,
    int IdleSeconds,
    int DurationSeconds,
    int CountPerBroadcast,
    int DrainSeconds,
    int Concurrency,
    string Label);

/// <summary>
/// N sessions with their GET streams over the instances; an idle phase; then a `broadcast` call each second on the
/// first instance. Each notification is told apart by its (sentAtMicros, i): a stream that receives one twice counts
/// a duplicate, one it never receives is lost.
/// </summary>
internal static class ScaleRun
{
    private const string Tick = "notifications/bench/tick";

    public static async Task<int> RunAsync(ScaleSettings s)
    {
        using var http = McpSessions.Client(s.Streams + s.Concurrency + 16);
        var mcp = new McpSessions(http);
        var listeners = new Listener[s.Streams];
        using var stop = new CancellationTokenSource();
        var result = new StringBuilder();
        void Put(string key, object value) => result.Append(CultureInfo.InvariantCulture, $" {key}={(value is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture))}");
        result.Append(CultureInfo.InvariantCulture, $"scale label={s.Label}");
        Put("instances", s.Urls.Count);
        Put("streams", s.Streams);

        var control = await mcp.OpenAsync(s.Urls[0]);

        // The hosts' own idle cost before any stream is open, once what the warm-up left (tiered JIT) has settled.
        await Task.Delay(TimeSpan.FromSeconds(s.SettleSeconds));
        var base0 = ProcessStats.CpuSeconds(s.HostPids);
        var baseClock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, s.IdleSeconds)));
        Put("base_idle_cpu_pct", (ProcessStats.CpuSeconds(s.HostPids) - base0) / baseClock.Elapsed.TotalSeconds * 100);
        var heapBefore = await HeapCollection.CollectAsync(s.HostPids, TimeSpan.FromMinutes(1));
        var rssBefore = ProcessStats.ResidentBytes(s.HostPids);

        // Open: at most `Concurrency` sessions being set up at once; a slot is free once its stream has said `retry`.
        var setup = Stopwatch.StartNew();
        var failed = 0;
        var tasks = new Task[s.Streams];
        await Parallel.ForEachAsync(Enumerable.Range(0, s.Streams), new ParallelOptions { MaxDegreeOfParallelism = s.Concurrency }, async (i, _) =>
        {
            var url = s.Urls[i % s.Urls.Count];
            try
            {
                var session = await mcp.OpenAsync(url);
                var listener = listeners[i] = new Listener { Url = url, Session = session };
                tasks[i] = Task.Run(() => listener.RunAsync(mcp, url, session, stop.Token));
                await listener.Opened.Task;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref failed);
                tasks[i] = Task.CompletedTask;
            }
        });
        setup.Stop();
        Put("setup_s", setup.Elapsed.TotalSeconds);
        Put("failed_opens", failed);
        var open = listeners.Where(l => l is not null && l.Opened.Task.IsCompletedSuccessfully).ToArray();

        // Idle: nothing is sent but keep-alives; after a settle (the setup's own tail), CPU over the window, memory at its end.
        await Task.Delay(TimeSpan.FromSeconds(s.SettleSeconds));
        var cpu0 = ProcessStats.CpuSeconds(s.HostPids);
        var redis0 = s.RedisPid is { } rp0 ? ProcessStats.CpuSeconds(rp0) : 0;
        var keepAlives0 = open.Sum(l => l.KeepAlives);
        var idle = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(s.IdleSeconds));
        idle.Stop();
        var idleCpu = (ProcessStats.CpuSeconds(s.HostPids) - cpu0) / idle.Elapsed.TotalSeconds * 100;
        var redisIdle = s.RedisPid is { } rp1 ? (ProcessStats.CpuSeconds(rp1) - redis0) / idle.Elapsed.TotalSeconds * 100 : 0;
        var keepAlivesPerSecond = (open.Sum(l => l.KeepAlives) - keepAlives0) / idle.Elapsed.TotalSeconds;
        // Memory: as it stands after the idle window, and after a full collection of the setup's garbage (the collector
        // may keep the memory it frees, so the two often agree) — both against the baseline, read after a collection.
        var rssUncollected = ProcessStats.ResidentBytes(s.HostPids);
        var heapAfter = await HeapCollection.CollectAsync(s.HostPids, TimeSpan.FromMinutes(1));
        var rssAfter = ProcessStats.ResidentBytes(s.HostPids);
        Put("rss_before_mb", rssBefore / 1048576.0);
        Put("rss_open_mb", rssAfter / 1048576.0);
        Put("kb_per_stream", open.Length == 0 ? 0 : (rssAfter - rssBefore) / 1024.0 / open.Length);
        Put("kb_per_stream_uncollected", open.Length == 0 ? 0 : (rssUncollected - rssBefore) / 1024.0 / open.Length);
        // The managed heap after the full collection (survivors and the fragments between them), whatever the collector
        // keeps committed beyond it.
        Put("heap_kb_per_stream", open.Length == 0 ? 0 : (heapAfter - heapBefore) / 1024.0 / open.Length);
        Put("idle_cpu_pct", idleCpu);
        Put("idle_keepalives_per_s", keepAlivesPerSecond);
        Put("idle_redis_cpu_pct", redisIdle);

        // Broadcast: one call a second (the next starts at once if a call took longer), then every stream drains.
        var target = (long)open.Length * s.DurationSeconds * s.CountPerBroadcast;
        Volatile.Write(ref Listener.Target, target);
        var cpu1 = ProcessStats.CpuSeconds(s.HostPids);
        var redis1 = s.RedisPid is { } rp2 ? ProcessStats.CpuSeconds(rp2) : 0;
        var client1 = ProcessStats.CpuSeconds(Environment.ProcessId);
        var machine1 = ProcessStats.MachineBusySeconds();
        var sending = Stopwatch.StartNew();
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            for (var call = 0; call < s.DurationSeconds; call++)
            {
                await mcp.PostAsync(s.Urls[0], control, McpSessions.Broadcast(s.CountPerBroadcast, call + 2));
                if (call + 1 < s.DurationSeconds)
                {
                    await timer.WaitForNextTickAsync();
                }
            }
        }

        var sent = sending.Elapsed.TotalSeconds;
        if (Interlocked.Read(ref Listener.Distinct) >= target)
        {
            Listener.AllDelivered.TrySetResult();
        }

        var drained = await Task.WhenAny(Listener.AllDelivered.Task, Task.Delay(TimeSpan.FromSeconds(s.DrainSeconds))) == Listener.AllDelivered.Task;
        var window = Listener.LastReceivedMicros - Listener.FirstSentMicros;
        await Task.Delay(TimeSpan.FromSeconds(1)); // a late duplicate would arrive within this second
        var hostCpu = ProcessStats.CpuSeconds(s.HostPids) - cpu1;
        var busyCpu = hostCpu / sending.Elapsed.TotalSeconds * 100;
        var clientCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - client1;
        var clientBusy = clientCpu / sending.Elapsed.TotalSeconds * 100;
        var machineBusy = (ProcessStats.MachineBusySeconds() - machine1) / sending.Elapsed.TotalSeconds * 100;
        var load = ProcessStats.LoadAverage();
        var busyRedis = s.RedisPid is { } rp3 ? (ProcessStats.CpuSeconds(rp3) - redis1) / sending.Elapsed.TotalSeconds * 100 : 0;

        var latencies = open.SelectMany(l => l.Latencies).ToArray();
        Array.Sort(latencies);
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)] / 1000.0;
        var distinct = Interlocked.Read(ref Listener.Distinct);
        Put("broadcasts", s.DurationSeconds);
        Put("per_broadcast", s.CountPerBroadcast);
        Put("send_s", sent);
        Put("expected", target);
        Put("delivered", distinct);
        Put("lost", target - distinct);
        Put("duplicates", open.Sum(l => l.Duplicates));
        Put("ended_streams", open.Count(l => l.Ended));
        Put("drained", drained ? 1 : 0);
        Put("p50_ms", Percentile(0.50));
        Put("p99_ms", Percentile(0.99));
        Put("max_ms", Percentile(1.0));
        Put("delivered_per_s", window > 0 ? distinct / (window / 1e6) : 0);
        Put("busy_cpu_pct", busyCpu);
        Put("busy_redis_cpu_pct", busyRedis);
        Put("client_busy_cpu_pct", clientBusy);
        Put("host_us_per_delivery", distinct == 0 ? 0 : hostCpu / distinct * 1e6);
        Put("client_us_per_delivery", distinct == 0 ? 0 : clientCpu / distinct * 1e6);

        // What else ran on the machine meanwhile (other processes share these cores): % of one core, and the load.
        Put("others_busy_cpu_pct", Math.Max(0, machineBusy - busyCpu - clientBusy - busyRedis));
        Put("load1", load);

        await stop.CancelAsync();
        await Task.WhenAll(tasks.Where(t => t is not null)).ContinueWith(_ => { }, TaskScheduler.Default);

        // The sessions end, so the next run on the same hosts broadcasts to its own streams only.
        await Parallel.ForEachAsync(listeners.Where(l => l?.Session is not null), new ParallelOptions { MaxDegreeOfParallelism = s.Concurrency }, async (l, _) => await mcp.CloseAsync(l.Url!, l.Session!));
        await mcp.CloseAsync(s.Urls[0], control);
        Console.WriteLine(result.ToString());
        return failed == 0 && drained ? 0 : 1;
    }

    /// <summary>One GET stream: reads its events and keeps its own tally (no locks on the hot path).</summary>
    private sealed class Listener
    {
        public static long Target = long.MaxValue;
        public static long Distinct;
        public static long FirstSentMicros = long.MaxValue;
        public static long LastReceivedMicros;
        public static readonly TaskCompletionSource AllDelivered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly HashSet<long> _seen = [];

        public Uri? Url { get; init; }

        public string? Session { get; init; }

        public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> Latencies { get; } = [];

        public int Duplicates { get; private set; }

        public int KeepAlives;

        public bool Ended { get; private set; }

        public async Task RunAsync(McpSessions mcp, Uri url, string session, CancellationToken stop)
        {
            try
            {
                using var response = await mcp.ListenAsync(url, session, stop);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop), Encoding.UTF8, false, 4096);
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    Opened.TrySetResult();
                    if (line.StartsWith(':'))
                    {
                        Interlocked.Increment(ref KeepAlives);
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains(Tick, StringComparison.Ordinal))
                    {
                        Received(line);
                    }
                }

                Ended = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Ended = true;
                Opened.TrySetException(ex);
            }
        }

        private void Received(string line)
        {
            var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            var sentAt = Number(line, "\"sentAtMicros\":");
            var key = (sentAt * 1024) + (Number(line, "\"i\":") & 1023);
            if (!_seen.Add(key))
            {
                Duplicates++;
                return;
            }

            Latencies.Add((int)Math.Min(int.MaxValue, now - sentAt));
            InterlockedMin(ref FirstSentMicros, sentAt);
            InterlockedMax(ref LastReceivedMicros, now);
            if (Interlocked.Increment(ref Distinct) == Volatile.Read(ref Target))
            {
                AllDelivered.TrySetResult();
            }
        }

        private static long Number(string line, string name)
        {
            var at = line.IndexOf(name, StringComparison.Ordinal);
            if (at < 0)
            {
                return 0;
            }

            long value = 0;
            for (var i = at + name.Length; i < line.Length && char.IsAsciiDigit(line[i]); i++)
            {
                value = (value * 10) + (line[i] - '0');
            }

            return value;
        }

        private static void InterlockedMin(ref long location, long value)
        {
            long current;
            while (value < (current = Interlocked.Read(ref location)) && Interlocked.CompareExchange(ref location, value, current) != current)
            {
            }
        }

        private static void InterlockedMax(ref long location, long value)
        {
            long current;
            while (value > (current = Interlocked.Read(ref location)) && Interlocked.CompareExchange(ref location, value, current) != current)
            {
            }
        }
    }
}
