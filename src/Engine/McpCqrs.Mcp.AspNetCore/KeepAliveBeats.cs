using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The keep-alive beats of every open SSE stream of this host, on one timer of the host's clock. A stream joins with
/// its own queue: once an interval (<see cref="McpTransportOptions.KeepAliveInterval"/>) a tick goes into that queue,
/// so the stream's one wait wakes for a message and for its keep-alive alike. The streams are spread over <see
/// cref="Slots"/> slots by when they joined (streams opened together share a slot), and each tick of the timer (every
/// interval / <see cref="Slots"/>, from the first stream on for the host's life) beats one slot: the thread pool wakes
/// a few times an interval for all the streams together instead of once for each (a worker woken for a single
/// keep-alive spins before it sleeps again, which made an idle stream's keep-alive cost about 200 µs of CPU), and no
/// timer or token source is kept per stream. A stream that has not taken its tick yet (a client that stopped reading)
/// is not sent another until it says it <see cref="Beat.Heard"/> it.
/// </summary>
internal sealed class KeepAliveBeats(IOptions<McpTransportOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>How many slots an interval is cut into: a stream's first beat comes at most one interval after it joins (most often after 15/16 of one).</summary>
    internal const int Slots = 16;

    private readonly ConcurrentDictionary<Beat, byte>[] _slots = [.. Enumerable.Range(0, Slots).Select(_ => new ConcurrentDictionary<Beat, byte>())];
    private readonly Lock _start = new();
    private ITimer? _timer;

    /// <summary>Ticks so far: tick n beats slot n mod <see cref="Slots"/> (one counter, so ticks that overlap still visit every slot in turn).</summary>
    private uint _ticks;
    private bool _disposed;

    /// <summary>Joins the beat: <paramref name="tick"/> goes into <paramref name="queue"/> once an interval until the returned beat is disposed.</summary>
    public Beat Join<T>(ChannelWriter<T> queue, T tick)
    {
        EnsureStarted();
        // The slot beaten last from now on: the first keep-alive comes about one interval after the stream opened.
        var slot = (int)((Volatile.Read(ref _ticks) + Slots - 1) % Slots);
        var beat = new Beat<T>(_slots[slot], queue, tick);
        _slots[slot][beat] = 0;
        return beat;
    }

    public void Dispose()
    {
        lock (_start)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _timer) is not null)
        {
            return;
        }

        lock (_start)
        {
            if (_timer is not null || _disposed)
            {
                return;
            }

            var period = TimeSpan.FromTicks(Math.Max(options.Value.KeepAliveInterval.Ticks / Slots, TimeSpan.TicksPerMillisecond));
            // The timer runs on no request's behalf: it does not carry the first stream's execution context (its
            // request, its activity) to every tick for the host's life.
            if (ExecutionContext.IsFlowSuppressed())
            {
                Start(period);
            }
            else
            {
                using (ExecutionContext.SuppressFlow())
                {
                    Start(period);
                }
            }
        }
    }

    private void Start(TimeSpan period) =>
        Volatile.Write(ref _timer, clock.CreateTimer(static state => ((KeepAliveBeats)state!).Tick(), this, period, period));

    /// <summary>One tick of the timer, for a test that runs ticks the way a busy thread pool may: several at once.</summary>
    internal void TickForTest() => Tick();

    private void Tick()
    {
        var slot = _slots[(Interlocked.Increment(ref _ticks) - 1) % Slots];
        foreach (var (beat, _) in slot)
        {
            beat.Fire();
        }
    }

    /// <summary>One stream's place in the beat; disposing it leaves.</summary>
    internal abstract class Beat(ConcurrentDictionary<Beat, byte> slot) : IDisposable
    {
        private int _pending;

        /// <summary>The stream took its tick from its queue: the next beat may put another.</summary>
        public void Heard() => Volatile.Write(ref _pending, 0);

        public void Dispose() => slot.TryRemove(this, out _);

        internal void Fire()
        {
            if (Interlocked.Exchange(ref _pending, 1) == 0 && !TryPut())
            {
                Volatile.Write(ref _pending, 0);
            }
        }

        private protected abstract bool TryPut();
    }

    private sealed class Beat<T>(ConcurrentDictionary<Beat, byte> slot, ChannelWriter<T> queue, T tick) : Beat(slot)
    {
        private protected override bool TryPut() => queue.TryWrite(tick);
    }
}
