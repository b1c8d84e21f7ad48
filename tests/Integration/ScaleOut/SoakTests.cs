using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// A bounded soak on loopback: two host instances sharing one Redis (each on its own SQLite: sessions and streams
/// live in Redis), S sessions per instance, each with its GET stream open on its own instance, and every 50 ms one
/// notification per session sent from the <em>other</em> instance (so every event crosses Redis pub/sub), carrying a
/// per-session sequence number. Every stream must receive exactly 1..K, in order, once each. A second phase of the
/// same length then runs between two measurements of the managed heap, which must not grow by more than
/// <see cref="MaxGrowthBytes"/>. The figures go to the test output and to <c>docs/soak.md</c>.
/// </summary>
/// <remarks>
/// Load: <c>MCPCQRS_SOAK_SESSIONS</c> sessions per instance (default 200) and <c>MCPCQRS_SOAK_SECONDS</c> per phase
/// (default 20). Needs <c>MCPCQRS_TEST_REDIS</c>.
/// </remarks>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const string Method = "notifications/soak/tick";
    private const long MaxGrowthBytes = 50L * 1024 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the streams may take, after the last send of a phase, to have received everything.</summary>
    private static readonly TimeSpan DrainPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_instances_deliver_every_notification_once_and_in_order_and_memory_stays_stable()
    {
        var redis = Environment.GetEnvironmentVariable("MCPCQRS_TEST_REDIS");
        Assert.False(
            string.IsNullOrWhiteSpace(redis),
            "No Redis for the soak test: export MCPCQRS_TEST_REDIS=127.0.0.1:6379 with a Redis server running (bash .ci/run starts one).");
        var perHost = Setting("MCPCQRS_SOAK_SESSIONS", 200);
        var phaseLength = TimeSpan.FromSeconds(Setting("MCPCQRS_SOAK_SECONDS", 20));
        var capacity = (int)(2 * (phaseLength / Interval)) + 8;

        var total = Stopwatch.StartNew();
        var shared = new Dictionary<string, string?>
        {
            ["Mcp:Redis"] = redis,
            ["Mcp:RedisKeyPrefix"] = $"mcpcqrs:soak:{Guid.NewGuid():N}",
        };
        await using var a = await TestHost.StartOnSqliteAsync(more: shared);
        await using var b = await TestHost.StartOnSqliteAsync(more: shared);
        using var clientA = Client(a);
        using var clientB = Client(b);
        using var stop = new CancellationTokenSource();
        var notifierA = a.Services.GetRequiredService<IMcpNotifier>();
        var notifierB = b.Services.GetRequiredService<IMcpNotifier>();

        // One session per host first, alone: the first request through the mediator connects the rate limiter's
        // Redis synchronously, and a burst of first requests would stall behind it (see the note in docs/soak.md).
        var coldStart = new List<TimeSpan>();
        foreach (var client in (HttpClient[])[clientA, clientB])
        {
            var first = Stopwatch.StartNew();
            var warm = new RawMcp(client);
            await warm.InitializeAsync();
            coldStart.Add(first.Elapsed);
            Assert.Equal(HttpStatusCode.NoContent, (await warm.SendAsync(warm.Request(HttpMethod.Delete))).StatusCode);
        }

        // Sessions: half opened on A (notified from B), half on B (notified from A); each GET stream on its own host.
        var setup = Stopwatch.StartNew();
        var sessions = new SoakSession[2 * perHost];
        await Parallel.ForAsync(0, sessions.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var onA = i < perHost;
            var mcp = new RawMcp(onA ? clientA : clientB);
            var id = await mcp.InitializeAsync();
            var session = new SoakSession(id, mcp, onA ? "A" : "B", onA ? notifierB : notifierA, capacity);
            var response = await mcp.SendAsync(mcp.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            session.Listen(response, stop.Token);
            sessions[i] = session;
        });
        setup.Stop();

        var report = new SoakReport(perHost, phaseLength, setup.Elapsed, coldStart);
        try
        {
            // Phase 1: the soak itself.
            var first = await RunPhaseAsync(1, sessions, phaseLength);
            report.Phases.Add(first);
            AssertExact(first, sessions);

            // Phase 2: the same again, between two measurements of the managed heap.
            report.MemoryBefore = ManagedMemory();
            report.WorkingSetBefore = Environment.WorkingSet;
            var second = await RunPhaseAsync(2, sessions, phaseLength);
            report.Phases.Add(second);
            report.MemoryAfter = ManagedMemory();
            report.WorkingSetAfter = Environment.WorkingSet;
            AssertExact(second, sessions);
            Assert.True(
                report.MemoryAfter - report.MemoryBefore < MaxGrowthBytes,
                $"The managed heap grew by {Mb(report.MemoryAfter - report.MemoryBefore)} MB over phase 2 (limit {Mb(MaxGrowthBytes)} MB).");
            report.Passed = true;
        }
        finally
        {
            report.Total = total.Elapsed;
            var text = report.ToMarkdown();
            output.WriteLine(text);
            await File.WriteAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "soak.md"), text);

            await stop.CancelAsync();
            await Task.WhenAll(sessions.Where(s => s is not null).Select(s => s.StopAsync()));
            await Parallel.ForEachAsync(sessions.Where(s => s is not null), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (s, _) =>
            {
                try
                {
                    (await s.Mcp.SendAsync(s.Mcp.Request(HttpMethod.Delete))).Dispose();
                }
                catch (HttpRequestException)
                {
                    // Best effort: the session's keys expire in Redis anyway.
                }
            });
        }
    }

    /// <summary>
    /// Sends one notification to every session every <see cref="Interval"/> for <paramref name="length"/> (a tick
    /// waits for the previous one: per session the sends are strictly in sequence), then waits until every stream
    /// has received everything sent to it (or <see cref="DrainPatience"/> runs out).
    /// </summary>
    private static async Task<PhaseFigures> RunPhaseAsync(int number, SoakSession[] sessions, TimeSpan length)
    {
        var deliveredBefore = sessions.Sum(s => s.Distinct);
        var sentBefore = sessions.Sum(s => s.Sent);
        var sentBeforePerSession = sessions.Select(s => s.Sent).ToArray();
        var (duplicatesBefore, outOfOrderBefore, unexpectedBefore) = (sessions.Sum(s => s.Duplicates), sessions.Sum(s => s.OutOfOrder), sessions.Sum(s => s.Unexpected));
        var failures = 0;
        string? firstFailure = null;
        var ticks = 0;
        var slowTicks = 0;
        var longestTick = TimeSpan.Zero;
        using var timer = new PeriodicTimer(Interval);
        var sending = Stopwatch.StartNew();
        var tasks = new Task[sessions.Length];
        do
        {
            var tick = Stopwatch.StartNew();
            for (var i = 0; i < sessions.Length; i++)
            {
                tasks[i] = SendAsync(sessions[i]);
            }

            await Task.WhenAll(tasks);
            ticks++;
            longestTick = tick.Elapsed > longestTick ? tick.Elapsed : longestTick;
            slowTicks += tick.Elapsed > Interval ? 1 : 0;
        }
        while (sending.Elapsed + Interval <= length && await timer.WaitForNextTickAsync());

        var sendTime = sending.Elapsed;
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < DrainPatience && sessions.Any(s => s.Distinct < s.Sent && s.Failure is null))
        {
            await Task.Delay(50);
        }

        var sent = sessions.Sum(s => s.Sent) - sentBefore;
        var delivered = sessions.Sum(s => s.Distinct) - deliveredBefore;
        return new PhaseFigures(
            number,
            ticks,
            (int)Math.Round(length / Interval),
            sent,
            delivered,
            Lost: sessions.Select((s, i) => s.Lost(sentBeforePerSession[i] + 1, s.Sent)).Sum(),
            Duplicated: sessions.Sum(s => s.Duplicates) - duplicatesBefore,
            OutOfOrder: sessions.Sum(s => s.OutOfOrder) - outOfOrderBefore,
            Unexpected: sessions.Sum(s => s.Unexpected) - unexpectedBefore,
            SendFailures: failures,
            FirstSendFailure: firstFailure,
            StreamFailures: [.. sessions.Where(s => s.Failure is not null).Select(s => $"{s.Home}/{s.Id[..8]}: {s.Failure}").Take(5)],
            sendTime,
            drain.Elapsed,
            slowTicks,
            longestTick,
            Latency.Snapshot());

        async Task SendAsync(SoakSession session)
        {
            var sequence = session.Sent + 1;
            session.Sent = sequence;
            try
            {
                var notification = new JsonRpcNotification
                {
                    Method = Method,
                    Params = new JsonObject { ["seq"] = sequence, ["at"] = Stopwatch.GetTimestamp() },
                };
                if (!await session.Notifier.NotifyAsync(session.Id, notification))
                {
                    throw new InvalidOperationException($"The notifier does not know session {session.Id}.");
                }
            }
            catch (Exception ex)
            {
                if (Interlocked.Increment(ref failures) == 1)
                {
                    firstFailure = $"{ex.GetType().Name}: {ex.Message}";
                }
            }
        }
    }

    /// <summary>Everything sent so far arrived exactly once and in order, on every stream.</summary>
    private static void AssertExact(PhaseFigures phase, SoakSession[] sessions)
    {
        Assert.True(phase.SendFailures == 0, $"Phase {phase.Number}: {phase.SendFailures} sends failed; the first: {phase.FirstSendFailure}");
        Assert.True(phase.StreamFailures.Count == 0, $"Phase {phase.Number}: streams failed: {string.Join("; ", phase.StreamFailures)}");
        Assert.True(
            phase.Lost == 0 && phase.Duplicated == 0 && phase.OutOfOrder == 0 && phase.Unexpected == 0,
            $"Phase {phase.Number}: lost {phase.Lost}, duplicated {phase.Duplicated}, out of order {phase.OutOfOrder}, unexpected {phase.Unexpected} " +
            $"(sent {phase.Sent}, delivered {phase.Delivered}); first sessions short: " +
            string.Join(", ", sessions.Where(s => s.Distinct != s.Sent).Take(5).Select(s => $"{s.Home}/{s.Id[..8]} {s.Distinct}/{s.Sent}")));
        foreach (var session in sessions)
        {
            Assert.True(session.Distinct == session.Sent && session.Last == session.Sent, $"Session {session.Id} received {session.Distinct} of 1..{session.Sent} (last {session.Last}).");
        }
    }

    private static HttpClient Client(TestHost host) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = host.Address,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static long ManagedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static int Setting(string variable, int fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new InvalidOperationException($"{variable} must be a positive integer, not '{value}'.")
            : fallback;

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpCqrs.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No McpCqrs.sln above {AppContext.BaseDirectory}.");
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Send-to-receive latency of the soak's notifications, in fixed buckets (shared by every stream).</summary>
    private static class Latency
    {
        public static readonly double[] BucketsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, double.PositiveInfinity];
        private static readonly long[] Counts = new long[BucketsMs.Length];
        private static long _maxTicks;

        public static void Record(long sentAt)
        {
            var elapsed = Stopwatch.GetTimestamp() - sentAt;
            var ms = elapsed * 1000.0 / Stopwatch.Frequency;
            var bucket = 0;
            while (ms > BucketsMs[bucket])
            {
                bucket++;
            }

            Interlocked.Increment(ref Counts[bucket]);
            long max;
            while (elapsed > (max = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, elapsed, max) != max)
            {
            }
        }

        /// <summary>The counts so far (and resets them): p50, p99 as bucket upper bounds, max exact.</summary>
        public static LatencyFigures Snapshot()
        {
            var counts = Counts.Select((_, i) => Interlocked.Exchange(ref Counts[i], 0)).ToArray();
            var max = Interlocked.Exchange(ref _maxTicks, 0) * 1000.0 / Stopwatch.Frequency;
            var all = counts.Sum();
            double Percentile(double p)
            {
                var seen = 0L;
                for (var i = 0; i < counts.Length; i++)
                {
                    seen += counts[i];
                    if (seen >= p * all)
                    {
                        return BucketsMs[i];
                    }
                }

                return double.NaN;
            }

            return new LatencyFigures(all == 0 ? double.NaN : Percentile(0.5), all == 0 ? double.NaN : Percentile(0.99), max);
        }
    }

    private sealed record LatencyFigures(double P50Ms, double P99Ms, double MaxMs);

    private sealed record PhaseFigures(
        int Number,
        int Ticks,
        int PlannedTicks,
        long Sent,
        long Delivered,
        long Lost,
        long Duplicated,
        long OutOfOrder,
        long Unexpected,
        int SendFailures,
        string? FirstSendFailure,
        IReadOnlyList<string> StreamFailures,
        TimeSpan SendTime,
        TimeSpan DrainTime,
        int SlowTicks,
        TimeSpan LongestTick,
        LatencyFigures Latency);

    /// <summary>One session: its open GET stream and what arrived on it.</summary>
    private sealed class SoakSession(string id, RawMcp mcp, string home, IMcpNotifier notifier, int capacity)
    {
        private readonly bool[] _seen = new bool[capacity + 1];
        private int _distinct;
        private HttpResponseMessage? _response;
        private Task _reader = Task.CompletedTask;

        public string Id { get; } = id;

        public RawMcp Mcp { get; } = mcp;

        /// <summary>The instance holding the stream (the notifications come from the other one).</summary>
        public string Home { get; } = home;

        public IMcpNotifier Notifier { get; } = notifier;

        /// <summary>The last sequence number sent (only the notifier loop writes it).</summary>
        public int Sent { get; set; }

        /// <summary>Distinct sequence numbers received.</summary>
        public int Distinct => Volatile.Read(ref _distinct);

        public int Last { get; private set; }

        public int Duplicates { get; private set; }

        /// <summary>Events that did not follow their predecessor (a gap, or one arriving late).</summary>
        public int OutOfOrder { get; private set; }

        /// <summary>Events that are not the soak's, or carry a sequence number never sent.</summary>
        public int Unexpected { get; private set; }

        public string? Failure { get; private set; }

        /// <summary>How many of the sequence numbers <paramref name="from"/>..<paramref name="to"/> never arrived.</summary>
        public int Lost(int from, int to)
        {
            var lost = 0;
            for (var n = from; n <= to; n++)
            {
                lost += Volatile.Read(ref _seen[n]) ? 0 : 1;
            }

            return lost;
        }

        public void Listen(HttpResponseMessage response, CancellationToken stop)
        {
            _response = response;
            _reader = Task.Run(() => ReadAsync(response, stop), CancellationToken.None);
        }

        public async Task StopAsync()
        {
            await _reader;
            _response?.Dispose();
        }

        private async Task ReadAsync(HttpResponseMessage response, CancellationToken stop)
        {
            try
            {
                using var sse = new SseReader(await response.Content.ReadAsStreamAsync(stop));
                while (await sse.NextAsync(stop) is { } sseEvent)
                {
                    if (sseEvent.Data.Length > 0)
                    {
                        Record(sseEvent.Data);
                    }
                }

                Failure = "the server ended the stream";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Failure = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        private void Record(string data)
        {
            using var message = JsonDocument.Parse(data);
            var root = message.RootElement;
            if (!root.TryGetProperty("method", out var method) || method.GetString() != Method)
            {
                Unexpected++;
                return;
            }

            var parameters = root.GetProperty("params");
            Latency.Record(parameters.GetProperty("at").GetInt64());
            var sequence = parameters.GetProperty("seq").GetInt32();
            if (sequence < 1 || sequence >= _seen.Length)
            {
                Unexpected++;
                return;
            }

            if (_seen[sequence])
            {
                Duplicates++;
                return;
            }

            Volatile.Write(ref _seen[sequence], true);
            OutOfOrder += sequence == Last + 1 ? 0 : 1;
            Last = sequence;
            Interlocked.Increment(ref _distinct);
        }
    }

    /// <summary>The figures of a run, as Markdown.</summary>
    private sealed class SoakReport(int perHost, TimeSpan phaseLength, TimeSpan setup, IReadOnlyList<TimeSpan> coldStart)
    {
        public List<PhaseFigures> Phases { get; } = [];

        public long MemoryBefore { get; set; }

        public long MemoryAfter { get; set; }

        public long WorkingSetBefore { get; set; }

        public long WorkingSetAfter { get; set; }

        public TimeSpan Total { get; set; }

        public bool Passed { get; set; }

        public string ToMarkdown()
        {
            var c = CultureInfo.InvariantCulture;
            var text = new StringBuilder();
            text.AppendLine("# Soak run");
            text.AppendLine();
            text.AppendLine(c, $"Written by `tests/Integration/ScaleOut/SoakTests.cs` ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC). Result: **{(Passed ? "passed" : "FAILED")}**.");
            text.AppendLine();
            text.AppendLine(c, $"Two host instances in one process (Kestrel on loopback), one shared Redis, SQLite each; {perHost} sessions per instance ({2 * perHost} in all), ");
            text.AppendLine(c, $"each with its GET stream open on its own instance; every {Interval.TotalMilliseconds} ms one notification per session, sent through `IMcpNotifier` ");
            text.AppendLine(c, $"on the *other* instance (Redis replay buffer + pub/sub), with a per-session sequence number. Two phases of {phaseLength.TotalSeconds} s each; ");
            text.AppendLine("the managed heap is measured (after a full GC) before and after phase 2.");
            text.AppendLine();
            text.AppendLine(c, $"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}. ");
            text.AppendLine(c, $"First initialize per instance, alone (cold): {string.Join(" / ", coldStart.Select(t => $"{t.TotalMilliseconds:0} ms"))}. ");
            text.AppendLine(c, $"Session setup (initialize + GET stream, {2 * perHost} sessions, 16 at a time): {setup.TotalSeconds:0.0} s. Whole test: {Total.TotalSeconds:0.0} s.");
            text.AppendLine();
            text.AppendLine("| Phase | Ticks (planned) | Ticks over 50 ms (longest) | Sent | Delivered | Lost | Duplicated | Out of order | Send failures | Send time | Drain | Events/s | Latency p50 / p99 / max |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var p in Phases)
            {
                var rate = p.Delivered / (p.SendTime + p.DrainTime).TotalSeconds;
                text.AppendLine(c, $"| {p.Number} | {p.Ticks} ({p.PlannedTicks}) | {p.SlowTicks} ({p.LongestTick.TotalMilliseconds:0} ms) | {p.Sent} | {p.Delivered} | {p.Lost} | {p.Duplicated} | {p.OutOfOrder} | {p.SendFailures} | {p.SendTime.TotalSeconds:0.0} s | {p.DrainTime.TotalSeconds:0.00} s | {rate:0} | ≤ {p.Latency.P50Ms} ms / ≤ {p.Latency.P99Ms} ms / {p.Latency.MaxMs:0} ms |");
            }

            if (Phases.Count > 0)
            {
                var sent = Phases.Sum(p => p.Sent);
                var delivered = Phases.Sum(p => p.Delivered);
                var time = Phases.Sum(p => (p.SendTime + p.DrainTime).TotalSeconds);
                text.AppendLine(c, $"| all | {Phases.Sum(p => p.Ticks)} ({Phases.Sum(p => p.PlannedTicks)}) | {Phases.Sum(p => p.SlowTicks)} | {sent} | {delivered} | {Phases.Sum(p => p.Lost)} | {Phases.Sum(p => p.Duplicated)} | {Phases.Sum(p => p.OutOfOrder)} | {Phases.Sum(p => p.SendFailures)} | {Phases.Sum(p => p.SendTime.TotalSeconds):0.0} s | {Phases.Sum(p => p.DrainTime.TotalSeconds):0.00} s | {delivered / time:0} | |");
            }

            text.AppendLine();
            if (MemoryBefore > 0 && MemoryAfter > 0)
            {
                text.AppendLine(c, $"Managed heap before phase 2: {Mb(MemoryBefore)} MB; after: {Mb(MemoryAfter)} MB; growth: {Mb(MemoryAfter - MemoryBefore)} MB (limit {Mb(MaxGrowthBytes)} MB). ");
                text.AppendLine(c, $"Working set (informative): {Mb(WorkingSetBefore)} MB → {Mb(WorkingSetAfter)} MB.");
                text.AppendLine();
            }

            foreach (var failure in Phases.SelectMany(p => p.StreamFailures).Concat(Phases.Select(p => p.FirstSendFailure).OfType<string>()))
            {
                text.AppendLine(c, $"- {failure}");
            }

            text.AppendLine("Note: the harness opens one session per instance alone before the burst. On a fresh instance the first request through the mediator ");
            text.AppendLine("creates the rate limiter's Redis connection with a synchronous `ConnectionMultiplexer.Connect` inside a DI singleton factory; ");
            text.AppendLine("concurrent first requests block on it and starve the thread pool of a small machine (seconds for a burst of 16 on 2 CPUs).");
            text.AppendLine();
            text.AppendLine("Events/s: notifications delivered per second of the phase (send time + drain). Latency: from the `NotifyAsync` call to the event's arrival at the client, bucketed (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000 ms).");
            return text.ToString();
        }
    }
}
