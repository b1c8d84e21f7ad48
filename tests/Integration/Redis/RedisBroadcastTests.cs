using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Redis;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary><see cref="RedisBroadcast"/> against a real Redis: instance-wide events between two instances.</summary>
public sealed class RedisBroadcastTests : RedisTwoInstances
{
    private RedisBroadcast Broadcast(IConnectionMultiplexer redis) => new(redis, Prefix);

    private static async Task<(Received<string> Received, IAsyncDisposable Subscription)> Subscribe(RedisBroadcast broadcast, string channel)
    {
        var received = new Received<string>();
        var subscription = await broadcast.SubscribeAsync(channel, payload =>
        {
            received.Add(payload);
            return ValueTask.CompletedTask;
        });
        return (received, subscription);
    }

    [Fact]
    public async Task A_payload_published_on_one_instance_reaches_the_subscribers_of_every_instance_in_order()
    {
        var (onA, subscriptionA) = await Subscribe(Broadcast(A), "tools-changed");
        var (onB, subscriptionB) = await Subscribe(Broadcast(B), "tools-changed");
        await using var _ = subscriptionA;
        await using var __ = subscriptionB;

        var receivers = await Broadcast(A).PublishAsync("tools-changed", "1");
        await Broadcast(B).PublishAsync("tools-changed", "2");
        await Broadcast(A).PublishAsync("tools-changed", "");

        Assert.Equal(2, receivers);
        Assert.Equal(["1", "2", ""], await onA.UntilAsync(r => r.Count == 3, Patience));
        Assert.Equal(["1", "2", ""], await onB.UntilAsync(r => r.Count == 3, Patience));
    }

    [Fact]
    public async Task A_subscriber_hears_its_channel_only()
    {
        var (received, subscription) = await Subscribe(Broadcast(B), "resource-updated");
        await using var _ = subscription;

        await Broadcast(A).PublishAsync("tools-changed", "not this");
        await new RedisBroadcast(A, Prefix + "-other").PublishAsync("resource-updated", "nor this");
        await Broadcast(A).PublishAsync("resource-updated", "tickets://1");

        Assert.Equal(["tickets://1"], await received.UntilAsync(r => r.Count == 1, Patience));
    }

    [Fact]
    public async Task A_disposed_subscription_hears_nothing_more()
    {
        var (received, subscription) = await Subscribe(Broadcast(B), "tools-changed");
        var (sentinel, sentinelSubscription) = await Subscribe(Broadcast(A), "tools-changed");
        await using var _ = sentinelSubscription;

        await subscription.DisposeAsync();
        var receivers = await Broadcast(A).PublishAsync("tools-changed", "late");

        Assert.Equal(1, receivers);
        Assert.Equal(["late"], await sentinel.UntilAsync(r => r.Count == 1, Patience));
        Assert.Empty(received.Items);
    }

    [Fact]
    public async Task Redis_unavailable_is_a_session_store_failure_not_a_silent_miss()
    {
        await using var down = await UnreachableAsync();
        var broadcast = Broadcast(down);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => broadcast.PublishAsync("tools-changed", "x"));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => broadcast.SubscribeAsync("tools-changed", _ => ValueTask.CompletedTask));
    }
}
