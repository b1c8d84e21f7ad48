using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Redis;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary><see cref="RedisResourceSubscriptions"/> against a real Redis, shared by two instances.</summary>
public sealed class RedisResourceSubscriptionsTests : RedisTwoInstances
{
    private RedisResourceSubscriptions Subscriptions(IConnectionMultiplexer redis) => new(redis, Prefix);

    private static async Task<string[]> Subscribers(RedisResourceSubscriptions subscriptions, string uri) =>
        [.. (await subscriptions.SubscribersAsync(uri, CancellationToken.None)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_subscription_made_on_one_instance_is_seen_on_the_other()
    {
        await Subscriptions(A).SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None);
        await Subscriptions(A).SubscribeAsync("s2", "tickets://1", 100, CancellationToken.None);
        await Subscriptions(B).SubscribeAsync("s2", "tickets://2", 100, CancellationToken.None);

        Assert.Equal(["s1", "s2"], await Subscribers(Subscriptions(B), "tickets://1"));
        Assert.Equal(["s2"], await Subscribers(Subscriptions(A), "tickets://2"));
    }

    [Fact]
    public async Task An_unknown_uri_has_no_subscribers()
    {
        Assert.Empty(await Subscribers(Subscriptions(A), "tickets://404"));
    }

    [Fact]
    public async Task Subscribing_twice_counts_once()
    {
        await Subscriptions(A).SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None);
        await Subscriptions(B).SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None);

        Assert.Equal(["s1"], await Subscribers(Subscriptions(A), "tickets://1"));
    }

    [Fact]
    public async Task Unsubscribing_removes_only_that_session_from_that_uri_and_leaves_no_empty_key()
    {
        var onA = Subscriptions(A);
        await onA.SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None);
        await onA.SubscribeAsync("s2", "tickets://1", 100, CancellationToken.None);
        await onA.SubscribeAsync("s1", "tickets://2", 100, CancellationToken.None);

        await Subscriptions(B).UnsubscribeAsync("s1", "tickets://1", CancellationToken.None);
        await Subscriptions(B).UnsubscribeAsync("s9", "tickets://9", CancellationToken.None);

        Assert.Equal(["s2"], await Subscribers(onA, "tickets://1"));
        Assert.Equal(["s1"], await Subscribers(onA, "tickets://2"));

        await Subscriptions(B).UnsubscribeAsync("s2", "tickets://1", CancellationToken.None);
        await Subscriptions(B).UnsubscribeAsync("s1", "tickets://2", CancellationToken.None);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Removing_a_session_removes_it_from_every_uri_and_leaves_the_others()
    {
        var onA = Subscriptions(A);
        await onA.SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None);
        await onA.SubscribeAsync("s1", "tickets://2", 100, CancellationToken.None);
        await onA.SubscribeAsync("s2", "tickets://2", 100, CancellationToken.None);

        await Subscriptions(B).RemoveSessionAsync("s1", CancellationToken.None);

        Assert.Empty(await Subscribers(onA, "tickets://1"));
        Assert.Equal(["s2"], await Subscribers(onA, "tickets://2"));
        Assert.Equal(
            [$"{Prefix}:resource-session:s2", $"{Prefix}:resource:tickets://2"],
            (await KeysAsync()).Select(k => (string)k!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Uris_with_any_characters_are_kept_apart()
    {
        var onA = Subscriptions(A);
        await onA.SubscribeAsync("s1", "file:///a b/ü*?[x]", 100, CancellationToken.None);
        await onA.SubscribeAsync("s2", "file:///a b", 100, CancellationToken.None);

        Assert.Equal(["s1"], await Subscribers(onA, "file:///a b/ü*?[x]"));
        await onA.RemoveSessionAsync("s1", CancellationToken.None);
        Assert.Empty(await Subscribers(onA, "file:///a b/ü*?[x]"));
        Assert.Equal(["s2"], await Subscribers(onA, "file:///a b"));
    }

    [Fact]
    public async Task Redis_unavailable_is_a_session_store_failure_not_a_silent_miss()
    {
        await using var down = await UnreachableAsync();
        var subscriptions = Subscriptions(down);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => subscriptions.SubscribeAsync("s1", "tickets://1", 100, CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => subscriptions.UnsubscribeAsync("s1", "tickets://1", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => subscriptions.SubscribersAsync("tickets://1", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => subscriptions.RemoveSessionAsync("s1", CancellationToken.None));
    }
    [Fact]
    public async Task A_session_at_its_limit_is_refused_on_either_instance_and_another_session_is_not()
    {
        Assert.True(await Subscriptions(A).SubscribeAsync("s1", "tickets://1", 2, CancellationToken.None));
        Assert.True(await Subscriptions(B).SubscribeAsync("s1", "tickets://2", 2, CancellationToken.None));

        Assert.False(await Subscriptions(A).SubscribeAsync("s1", "tickets://3", 2, CancellationToken.None));
        Assert.False(await Subscriptions(B).SubscribeAsync("s1", "tickets://3", 2, CancellationToken.None));
        Assert.True(await Subscriptions(B).SubscribeAsync("s1", "tickets://2", 2, CancellationToken.None));
        Assert.True(await Subscriptions(A).SubscribeAsync("s2", "tickets://3", 2, CancellationToken.None));

        Assert.Equal(["s2"], await Subscribers(Subscriptions(A), "tickets://3"));
    }

    [Fact]
    public async Task The_sets_expire_with_the_session_and_a_use_of_the_session_renews_them()
    {
        var now = DateTimeOffset.UtcNow;
        var sessions = new RedisSessionStore(
            A,
            Microsoft.Extensions.Options.Options.Create(new McpSessionOptions { IdleTimeout = TimeSpan.FromMinutes(5), MaxAge = TimeSpan.FromHours(1) }),
            TimeProvider.System,
            Prefix);
        await sessions.CreateAsync(new McpSession("live", "2025-11-25", null, null, null, now, now), CancellationToken.None);
        await new RedisResourceSubscriptions(A, Prefix, TimeSpan.FromHours(1)).SubscribeAsync("live", "tickets://1", 10, CancellationToken.None);
        var database = A.GetDatabase();
        var sessionSet = $"{Prefix}:resource-session:live";

        var life = await database.KeyTimeToLiveAsync(sessionSet);
        Assert.InRange(life!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        var uriLife = await database.KeyTimeToLiveAsync($"{Prefix}:resource:tickets://1");
        Assert.InRange(uriLife!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));

        // Shorten the set's life by hand; a use of the session gives it the session's again.
        await database.KeyExpireAsync(sessionSet, TimeSpan.FromMinutes(1));
        await sessions.GetAsync("live", CancellationToken.None);
        await database.PingAsync();
        Assert.InRange((await database.KeyTimeToLiveAsync(sessionSet))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }
}
