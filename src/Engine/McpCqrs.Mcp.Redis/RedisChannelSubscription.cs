using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// One subscription to a Redis pub/sub channel whose messages are handed to a callback one at a time, in the order
/// Redis delivered them (the next waits for the previous callback to finish). A callback that throws is logged and
/// the subscription goes on. Once <see cref="DisposeAsync"/> has returned the callback is not called again (should
/// the unsubscribe itself fail, a callback already running may still be finishing); the callback may dispose its own
/// subscription.
/// </summary>
internal sealed class RedisChannelSubscription : IAsyncDisposable
{
    /// <summary>The subscription whose callback is running on this async flow (so disposing from it does not wait on itself).</summary>
    private static readonly AsyncLocal<RedisChannelSubscription?> Delivering = new();

    private readonly ChannelMessageQueue _queue;
    private readonly Func<RedisValue, ValueTask> _onMessage;
    private readonly ILogger _logger;
    private readonly Task _pump;
    private int _disposed;

    private RedisChannelSubscription(ChannelMessageQueue queue, Func<RedisValue, ValueTask> onMessage, ILogger logger)
    {
        _queue = queue;
        _onMessage = onMessage;
        _logger = logger;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Subscribes (the server has confirmed when this returns) and starts delivering.</summary>
    public static async Task<RedisChannelSubscription> StartAsync(ISubscriber subscriber, RedisChannel channel, Func<RedisValue, ValueTask> onMessage, ILogger logger)
    {
        var queue = await subscriber.SubscribeAsync(channel);
        return new RedisChannelSubscription(queue, onMessage, logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (RedisGuard.IsRedisFailure(ex) || ex is ObjectDisposedException)
        {
            // Redis or the connection is gone: the multiplexer does not resubscribe a channel nobody holds, and the
            // disposed flag stops any further callback. Do not wait on a queue that may never complete.
            _logger.LogWarning(ex, "Unsubscribing from Redis channel {Channel} failed", _queue.Channel);
            return;
        }

        if (Delivering.Value != this)
        {
            await _pump;
        }
    }

    private async Task PumpAsync()
    {
        Delivering.Value = this;
        await foreach (var message in _queue)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                break;
            }

            try
            {
                await _onMessage(message.Message);
            }
            catch (Exception ex)
            {
                // A subscriber's failure must not end the delivery of later messages.
                _logger.LogError(ex, "A subscriber of Redis channel {Channel} failed on a message", _queue.Channel);
            }
        }
    }
}
