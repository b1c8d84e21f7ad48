using System.Threading.Channels;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The keep-alive beat of one open SSE stream: a timer of the host's clock that puts a tick in the stream's own queue
/// every <see cref="McpTransportOptions.KeepAliveInterval"/>, so the stream's one wait wakes for a message and for its
/// keep-alive alike. One timer for the stream's life, where a timed token source per wait cost a source, a
/// registration on the connection's token, a timer and a caught cancellation for every wake and every keep-alive.
/// </summary>
internal static class StreamBeat
{
    /// <summary>Starts the beat: <paramref name="tick"/> goes into <paramref name="queue"/> each interval until the timer is disposed.</summary>
    public static ITimer Start<T>(TimeProvider clock, TimeSpan interval, ChannelWriter<T> queue, T tick) =>
        clock.CreateTimer(static state => ((Beat<T>)state!).Queue.TryWrite(((Beat<T>)state!).Tick), new Beat<T>(queue, tick), interval, interval);

    private sealed record Beat<T>(ChannelWriter<T> Queue, T Tick);
}
