using System.Threading.Channels;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The keep-alive beat of one open SSE stream: a timer of the host's clock that puts a tick in the stream's own queue
/// every <see cref="McpTransportOptions.KeepAliveInterval"/>, so the stream's one wait wakes for a message and for its
/// keep-alive alike. One timer for the stream's life, where a timed token source per wait cost a source, a
/// registration on the connection's token, a timer and a caught cancellation for every wake and every keep-alive.
/// At most one tick waits in the queue: one the stream has not taken yet (a client that stopped reading) is not
/// joined by another until the stream says it <see cref="Heard"/> it.
/// </summary>
internal sealed class StreamBeat<T> : IDisposable
{
    private readonly ChannelWriter<T> _queue;
    private readonly T _tick;
    private readonly ITimer _timer;
    private int _pending;

    public StreamBeat(TimeProvider clock, TimeSpan interval, ChannelWriter<T> queue, T tick)
    {
        _queue = queue;
        _tick = tick;
        // The timer runs on no request's behalf: it does not carry the stream's execution context to every tick.
        using (ExecutionContext.IsFlowSuppressed() ? default : ExecutionContext.SuppressFlow())
        {
            _timer = clock.CreateTimer(static state => ((StreamBeat<T>)state!).Beat(), this, interval, interval);
        }
    }

    /// <summary>The stream took the tick from its queue: the next beat may put another.</summary>
    public void Heard() => Volatile.Write(ref _pending, 0);

    public void Dispose() => _timer.Dispose();

    private void Beat()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0 && !_queue.TryWrite(_tick))
        {
            Volatile.Write(ref _pending, 0);
        }
    }
}
