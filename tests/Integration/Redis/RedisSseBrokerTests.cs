using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.Redis;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary>
/// <see cref="RedisSseBroker"/> against a real Redis: the in-memory broker's behaviours, with the subscriber on one
/// instance (connection) and the publisher on the other.
/// </summary>
public sealed class RedisSseBrokerTests : RedisTwoInstances
{
    private RedisSseBroker Broker(IConnectionMultiplexer redis) => new(redis, Prefix);

    private static async Task<(Received<SseEvent?> Received, IAsyncDisposable Subscription)> Subscribe(ISseBroker broker, string session, string stream)
    {
        var received = new Received<SseEvent?>();
        var subscription = await broker.SubscribeAsync(session, stream, e =>
        {
            received.Add(e);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return (received, subscription);
    }

    private static bool EndsComplete(IReadOnlyList<SseEvent?> events) => events.Count > 0 && events[^1] is null;

    private async Task<long> ServerSubscribers(string session, string stream) =>
        await A.GetServer(A.GetEndPoints()[0]).SubscriptionSubscriberCountAsync(RedisSseBroker.Channel(Prefix, session, stream));

    [Fact]
    public async Task A_subscriber_on_one_instance_receives_the_events_of_its_session_and_stream_published_on_another()
    {
        var (received, subscription) = await Subscribe(Broker(B), "s1", "g");
        await using var _ = subscription;
        var publisher = Broker(A);

        await publisher.PublishAsync("s1", "g", new SseEvent("g_1", "mine"), CancellationToken.None);
        await publisher.PublishAsync("s1", "r1", new SseEvent("r1_1", "other stream"), CancellationToken.None);
        await publisher.PublishAsync("s2", "g", new SseEvent("g_1", "other session"), CancellationToken.None);
        await publisher.PublishAsync("s1", "g", null, CancellationToken.None);

        var events = await received.UntilAsync(EndsComplete, Patience);
        Assert.Equal(["mine", null], events.Select(e => e?.Data));
        Assert.Equal(new SseEvent("g_1", "mine"), events[0]);
    }

    [Fact]
    public async Task Events_arrive_in_publish_order_one_callback_at_a_time()
    {
        var received = new Received<long>();
        var running = 0;
        var overlapped = false;
        await using var subscription = await Broker(B).SubscribeAsync("s1", "g", async e =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            await Task.Yield();
            received.Add(e?.Sequence ?? -1);
            Interlocked.Decrement(ref running);
        }, CancellationToken.None);
        var publisher = Broker(A);

        for (var n = 1; n <= 200; n++)
        {
            await publisher.PublishAsync("s1", "g", new SseEvent($"g_{n}", $"event {n}"), CancellationToken.None);
        }

        await publisher.PublishAsync("s1", "g", null, CancellationToken.None);

        var sequences = await received.UntilAsync(r => r.Count > 0 && r[^1] == -1, Patience);
        Assert.Equal([.. Enumerable.Range(1, 200).Select(n => (long)n), -1], sequences);
        Assert.False(overlapped);
    }

    [Fact]
    public async Task Every_subscriber_of_a_stream_receives_its_events_on_either_instance()
    {
        var (onA, subscriptionA) = await Subscribe(Broker(A), "s1", "g");
        var (onB, subscriptionB) = await Subscribe(Broker(B), "s1", "g");
        await using var _ = subscriptionA;
        await using var __ = subscriptionB;

        await Broker(B).PublishAsync("s1", "g", new SseEvent("g_1", "one"), CancellationToken.None);
        await Broker(A).PublishAsync("s1", "g", null, CancellationToken.None);

        Assert.Equal(["one", null], (await onA.UntilAsync(EndsComplete, Patience)).Select(e => e?.Data));
        Assert.Equal(["one", null], (await onB.UntilAsync(EndsComplete, Patience)).Select(e => e?.Data));
    }

    [Fact]
    public async Task A_disposed_subscription_receives_nothing_and_unsubscribes_from_Redis()
    {
        var subscriber = Broker(B);
        var (received, subscription) = await Subscribe(subscriber, "s1", "g");
        var (sentinel, sentinelSubscription) = await Subscribe(Broker(A), "s1", "g");
        await using var _ = sentinelSubscription;
        Assert.Equal(2, await ServerSubscribers("s1", "g"));

        await subscription.DisposeAsync();
        Assert.Equal(1, await ServerSubscribers("s1", "g"));
        await Broker(A).PublishAsync("s1", "g", new SseEvent("g_1", "late"), CancellationToken.None);
        await Broker(A).PublishAsync("s1", "g", null, CancellationToken.None);

        await sentinel.UntilAsync(EndsComplete, Patience);
        Assert.Empty(received.Items);
    }

    [Fact]
    public async Task Disposing_one_subscription_leaves_the_others_of_the_stream()
    {
        var broker = Broker(B);
        var (first, firstSubscription) = await Subscribe(broker, "s1", "g");
        var (second, secondSubscription) = await Subscribe(broker, "s1", "g");
        await using var _ = secondSubscription;
        var publisher = Broker(A);

        await publisher.PublishAsync("s1", "g", new SseEvent("g_1", "both"), CancellationToken.None);
        await first.UntilAsync(r => r.Count == 1, Patience);
        await second.UntilAsync(r => r.Count == 1, Patience);
        await firstSubscription.DisposeAsync();
        await publisher.PublishAsync("s1", "g", new SseEvent("g_2", "second only"), CancellationToken.None);
        await publisher.PublishAsync("s1", "g", null, CancellationToken.None);

        Assert.Equal(["both", "second only", null], (await second.UntilAsync(EndsComplete, Patience)).Select(e => e?.Data));
        Assert.Equal(["both"], first.Items.Select(e => e?.Data));
        Assert.Equal(1, await ServerSubscribers("s1", "g"));
    }

    [Fact]
    public async Task A_subscriber_may_dispose_its_own_subscription_when_the_stream_completes()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAsyncDisposable? subscription = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription = await Broker(B).SubscribeAsync("s1", "r1", async e =>
        {
            if (e is null)
            {
                await ready.Task;
                await subscription!.DisposeAsync();
                disposed.SetResult();
            }
        }, CancellationToken.None);
        ready.SetResult();

        await Broker(A).PublishAsync("s1", "r1", null, CancellationToken.None);

        await disposed.Task.WaitAsync(Patience);
        Assert.Equal(0, await ServerSubscribers("s1", "r1"));
    }

    [Fact]
    public async Task A_failing_callback_does_not_end_the_subscription()
    {
        var received = new Received<string?>();
        await using var subscription = await Broker(B).SubscribeAsync("s1", "g", e =>
        {
            received.Add(e?.Data);
            return e?.Data == "boom" ? throw new InvalidOperationException("subscriber failed") : ValueTask.CompletedTask;
        }, CancellationToken.None);

        await Broker(A).PublishAsync("s1", "g", new SseEvent("g_1", "boom"), CancellationToken.None);
        await Broker(A).PublishAsync("s1", "g", new SseEvent("g_2", "after"), CancellationToken.None);

        Assert.Equal(["boom", "after"], await received.UntilAsync(r => r.Count == 2, Patience));
    }

    [Fact]
    public async Task Brokers_with_different_key_prefixes_do_not_hear_each_other()
    {
        var (received, subscription) = await Subscribe(Broker(B), "s1", "g");
        await using var _ = subscription;

        await new RedisSseBroker(A, Prefix + "-other").PublishAsync("s1", "g", new SseEvent("g_1", "elsewhere"), CancellationToken.None);
        await Broker(A).PublishAsync("s1", "g", null, CancellationToken.None);

        Assert.Equal([null], await received.UntilAsync(EndsComplete, Patience));
    }

    [Fact]
    public async Task A_subscription_outliving_its_connection_disposes_without_failing()
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        var subscription = await Broker(connection).SubscribeAsync("s1", "g", _ => ValueTask.CompletedTask, CancellationToken.None);
        await connection.DisposeAsync();

        await subscription.DisposeAsync().AsTask().WaitAsync(Patience);
    }

    [Fact]
    public async Task Redis_unavailable_is_a_session_store_failure_not_a_silent_miss()
    {
        await using var down = await UnreachableAsync();
        var broker = Broker(down);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await broker.PublishAsync("s1", "g", new SseEvent("g_1", "a"), CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await broker.SubscribeAsync("s1", "g", _ => ValueTask.CompletedTask, CancellationToken.None));
    }
}
