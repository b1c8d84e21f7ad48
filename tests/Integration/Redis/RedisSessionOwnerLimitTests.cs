using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary>Open sessions per owner, counted in Redis across two instances.</summary>
public sealed class RedisSessionOwnerLimitTests : RedisTwoInstances
{
    private RedisSessionStore Store(IConnectionMultiplexer redis, TimeSpan? idle = null) => new(
        redis,
        Options.Create(new McpSessionOptions { IdleTimeout = idle ?? TimeSpan.FromMinutes(10), MaxAge = TimeSpan.FromHours(1) }),
        TimeProvider.System,
        Prefix);

    private static Task<bool> Create(RedisSessionStore store, string id, string owner, int max = 2)
    {
        var now = DateTimeOffset.UtcNow;
        return store.TryCreateAsync(new McpSession(id, "2025-11-25", null, null, owner, now, now), owner, max, CancellationToken.None);
    }

    [Fact]
    public async Task The_limit_holds_across_instances_and_another_owner_is_not_affected()
    {
        Assert.True(await Create(Store(A), "a1", "user:alice"));
        Assert.True(await Create(Store(B), "a2", "user:alice"));

        Assert.False(await Create(Store(A), "a3", "user:alice"));
        Assert.False(await Create(Store(B), "a4", "user:alice"));
        Assert.Null(await Store(A).GetAsync("a3", CancellationToken.None));
        Assert.True(await Create(Store(B), "b1", "user:bob"));
    }

    [Fact]
    public async Task A_session_deleted_on_one_instance_frees_its_place_on_the_other()
    {
        await Create(Store(A), "a1", "user:alice");
        await Create(Store(A), "a2", "user:alice");

        await Store(B).DeleteAsync("a1", CancellationToken.None);

        Assert.True(await Create(Store(A), "a3", "user:alice"));
    }

    [Fact]
    public async Task An_expired_session_stops_counting_and_leaves_no_member_behind()
    {
        // Redis expires the short-lived session; the owner's set drops it when it next counts.
        var shortLived = Store(A, TimeSpan.FromMilliseconds(50));
        Assert.True(await Create(shortLived, "a1", "user:alice", max: 1));
        var created = false;
        for (var attempt = 0; attempt < 200 && !created; attempt++)
        {
            created = await Create(Store(A), "a2", "user:alice", max: 1);
            if (!created)
            {
                await Task.Delay(25);
            }
        }

        Assert.True(created, "the expired session still counted");
        var members = await A.GetDatabase().SortedSetRangeByRankAsync($"{Prefix}:owner-sessions:user:alice");
        Assert.Equal(["a2"], members.Select(m => (string)m!));
    }
}
