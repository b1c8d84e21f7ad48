using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary><see cref="RedisRequestStateNonces"/> against a real Redis: a nonce used on one instance is used on all.</summary>
public sealed class RedisRequestStateNoncesTests : RedisTwoInstances
{
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);

    private RedisRequestStateNonces Nonces(StackExchange.Redis.IConnectionMultiplexer redis) => new(redis, _clock, Prefix);

    [Fact]
    public async Task A_nonce_used_on_one_instance_is_refused_on_both()
    {
        var expiresAt = _clock.GetUtcNow().AddMinutes(10);

        Assert.True(await Nonces(A).TryUseAsync("n-1", expiresAt, default));
        Assert.False(await Nonces(B).TryUseAsync("n-1", expiresAt, default));
        Assert.False(await Nonces(A).TryUseAsync("n-1", expiresAt, default));
        Assert.True(await Nonces(B).TryUseAsync("n-2", expiresAt, default));
    }

    [Fact]
    public async Task A_nonce_released_on_one_instance_is_accepted_once_more_on_the_other()
    {
        var expiresAt = _clock.GetUtcNow().AddMinutes(10);
        Assert.True(await Nonces(A).TryUseAsync("n-1", expiresAt, default));

        await Nonces(A).ReleaseAsync("n-1", default);

        Assert.True(await Nonces(B).TryUseAsync("n-1", expiresAt, default));
        Assert.False(await Nonces(A).TryUseAsync("n-1", expiresAt, default));
    }

    [Fact]
    public async Task The_mark_lives_under_the_key_prefix_and_expires_with_its_state()
    {
        var nonces = Nonces(A);

        await nonces.TryUseAsync("n-1", _clock.GetUtcNow().AddMinutes(10), default);

        var key = Assert.Single(await KeysAsync("request-state:*"));
        Assert.Equal(nonces.Key("n-1"), key.ToString());
        var ttl = await A.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Concurrent_uses_of_one_nonce_from_two_instances_accept_exactly_one()
    {
        var expiresAt = _clock.GetUtcNow().AddMinutes(10);
        var uses = Enumerable.Range(0, 20).Select(i => Nonces(i % 2 == 0 ? A : B).TryUseAsync("shared", expiresAt, default).AsTask());

        var results = await Task.WhenAll(uses);

        Assert.Single(results, accepted => accepted);
    }

    [Fact]
    public async Task An_unreachable_redis_is_a_clear_unavailable_error_and_marks_nothing()
    {
        await using var down = await UnreachableAsync();

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await Nonces(down).TryUseAsync("n-1", _clock.GetUtcNow().AddMinutes(10), default));

        Assert.True(await Nonces(A).TryUseAsync("n-1", _clock.GetUtcNow().AddMinutes(10), default));
    }
}
