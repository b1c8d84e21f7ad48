namespace McpCqrs.Mcp.Streams;

/// <summary>
/// Instance-wide channels for a server that runs as several instances: a payload published on one instance reaches
/// every subscriber of the channel on every instance, in publish order. Nothing is kept: a payload published while an
/// instance is disconnected does not reach it. Registered by a scale-out package (Redis); without one, each instance
/// serves only its own sessions and nothing is published.
/// </summary>
public interface IMcpBroadcast
{
    /// <summary>Publishes <paramref name="payload"/>; returns how many subscribed instances received it.</summary>
    Task<long> PublishAsync(string channel, string payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="onMessage"/> for each payload published on <paramref name="channel"/> from now on (the
    /// subscription is in place when this returns), one at a time, in order. Dispose to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, ValueTask> onMessage, CancellationToken cancellationToken = default);
}
