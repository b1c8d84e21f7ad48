using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using McpCqrs.Mcp.Streams;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// Instance-wide events on Redis pub/sub (e.g. list-changed or resource-updated fan-out): a payload published on
/// one instance reaches every subscriber of the channel on every instance sharing the Redis and the key prefix, in
/// publish order. Channel names are <c>{prefix}:broadcast:{channel}</c>. Pub/sub keeps nothing: a payload published
/// while an instance is disconnected does not reach it. Redis failures surface as
/// <see cref="McpCqrs.Mcp.Sessions.SessionStoreUnavailableException"/>.
/// </summary>
internal sealed class RedisBroadcast(IConnectionMultiplexer redis, string keyPrefix = "mcpcqrs", ILogger<RedisBroadcast>? logger = null) : IMcpBroadcast
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Publishes <paramref name="payload"/>; returns how many subscribed connections (instances) Redis handed it to.</summary>
    public Task<long> PublishAsync(string channel, string payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisGuard.Run(() => redis.GetSubscriber().PublishAsync(Channel(channel), payload));
    }

    /// <summary>
    /// Calls <paramref name="onMessage"/> for each payload published on <paramref name="channel"/> from now on (the
    /// subscription is in place when this returns), one at a time, in order. Dispose to stop.
    /// </summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, ValueTask> onMessage, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await RedisGuard.Run(async () => await RedisChannelSubscription.StartAsync(
            redis.GetSubscriber(),
            Channel(channel),
            message => onMessage((string?)message ?? string.Empty),
            _logger));
    }

    private RedisChannel Channel(string channel) => RedisChannel.Literal($"{keyPrefix}:broadcast:{channel}");
}
