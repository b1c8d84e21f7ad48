using McpCqrs.Mcp.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>A binding's policies in order, partitions, and the bound on kept partitions.</summary>
public sealed class PolicyChainTests
{
    private static RateLimitTesting WritesThenBurst() => new(o => o
        .AddPolicy(RateLimitPolicy.FixedWindow("writes", 5, TimeSpan.FromMinutes(1)))
        .AddPolicy(RateLimitPolicy.TokenBucket("burst", 1, 1, TimeSpan.FromSeconds(10)))
        .ForBinding("create_ticket", "writes", "burst"));

    [Fact]
    public async Task The_first_policy_in_order_that_refuses_decides()
    {
        using var t = WritesThenBurst();

        Assert.True((await t.Call("create_ticket")).Allowed);
        var refused = await t.Call("create_ticket");

        Assert.False(refused.Allowed);
        Assert.Equal("burst", refused.Policy);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
    }

    [Fact]
    public async Task A_call_refused_by_a_later_policy_still_spends_a_permit_of_the_earlier_ones()
    {
        // Documented behaviour: a rate limiter cannot give a permit back, so "writes" counts the refused calls.
        using var t = WritesThenBurst();

        Assert.True((await t.Call("create_ticket")).Allowed);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("burst", (await t.Call("create_ticket")).Policy);
        }

        Assert.Equal(0, t.Available("writes"));

        // The bucket has refilled, but the window's five permits went to one allowed and four refused calls.
        t.Clock.Advance(TimeSpan.FromSeconds(10));
        var refused = await t.Call("create_ticket");
        Assert.Equal("writes", refused.Policy);
        Assert.Equal(TimeSpan.FromSeconds(50), refused.RetryAfter);
    }

    [Fact]
    public async Task Policies_after_the_one_that_refuses_are_not_asked()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("tight", 1, TimeSpan.FromMinutes(1)))
            .AddPolicy(RateLimitPolicy.FixedWindow("loose", 10, TimeSpan.FromMinutes(1)))
            .ForBinding("create_ticket", "tight", "loose"));

        Assert.Equal(1, await t.Allowed("create_ticket", 4));

        Assert.Equal(9, t.Available("loose"));
    }

    [Fact]
    public async Task Bindings_that_name_the_same_policy_share_its_count()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("writes", 2, TimeSpan.FromMinutes(1)))
            .ForBinding("create_ticket", "writes")
            .ForBinding("close_ticket", "writes"));

        Assert.True((await t.Call("create_ticket")).Allowed);
        Assert.True((await t.Call("close_ticket")).Allowed);

        Assert.Equal("writes", (await t.Call("create_ticket")).Policy);
        Assert.False((await t.Call("close_ticket")).Allowed);
    }

    [Fact]
    public async Task Each_partition_has_its_own_count()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("writes", 2, TimeSpan.FromMinutes(1)))
            .ForBinding("create_ticket", "writes"));

        Assert.Equal(2, await t.Allowed("create_ticket", 5, "user:alice"));

        Assert.Equal(2, await t.Allowed("create_ticket", 5, "user:bob"));
        Assert.Equal(2, await t.Allowed("create_ticket", 5, "ip:203.0.113.7"));
        Assert.Equal(0, t.Available("writes", "user:alice"));
    }

    [Fact]
    public async Task Bindings_without_policies_and_unknown_bindings_are_always_allowed()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("writes", 1, TimeSpan.FromMinutes(1)))
            .ForBinding("create_ticket", "writes")
            .ForBinding("list_tickets"));

        var decision = t.Service.TryAcquireAsync("list_tickets", "user:alice", CancellationToken.None);
        Assert.True(decision.IsCompletedSuccessfully);
        Assert.Same(RateLimitDecision.Allow, await decision);
        Assert.Equal(1000, await t.Allowed("list_tickets", 1000));
        Assert.Equal(1000, await t.Allowed("get_customer", 1000));
    }

    [Fact]
    public async Task Binding_names_are_case_insensitive()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("Writes", 1, TimeSpan.FromMinutes(1)))
            .ForBinding("CreateTicket", "writes"));

        Assert.True((await t.Call("createticket")).Allowed);
        Assert.Equal("Writes", (await t.Call("CREATETICKET")).Policy);
    }

    [Fact]
    public async Task Enforce_throws_a_typed_error_with_the_retry_after()
    {
        using var t = WritesThenBurst();
        await t.Service.EnforceAsync("create_ticket", "user:alice", CancellationToken.None);

        var error = await Assert.ThrowsAsync<RateLimitExceededException>(
            async () => await t.Service.EnforceAsync("create_ticket", "user:alice", CancellationToken.None));

        Assert.Equal("create_ticket", error.Binding);
        Assert.Equal("burst", error.Policy);
        Assert.Equal(TimeSpan.FromSeconds(10), error.RetryAfter);
        Assert.Equal(10, error.RetryAfterSeconds);
    }

    [Fact]
    public async Task A_cancelled_call_takes_no_permit()
    {
        using var t = WritesThenBurst();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await t.Service.TryAcquireAsync("create_ticket", "user:alice", cancelled.Token));

        Assert.True((await t.Call("create_ticket")).Allowed);
    }

    [Fact]
    public async Task Concurrent_callers_never_get_more_than_the_limit()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("fixed", 100, TimeSpan.FromMinutes(1)))
            .AddPolicy(RateLimitPolicy.SlidingWindow("sliding", 100, TimeSpan.FromMinutes(1), 4))
            .AddPolicy(RateLimitPolicy.TokenBucket("bucket", 100, 1, TimeSpan.FromMinutes(1)))
            .ForBinding("a", "fixed")
            .ForBinding("b", "sliding")
            .ForBinding("c", "bucket"));

        foreach (var binding in new[] { "a", "b", "c" })
        {
            var allowed = 0;
            await Parallel.ForAsync(0, 2000, async (i, ct) =>
            {
                if ((await t.Service.TryAcquireAsync(binding, $"user:{i % 2}", ct)).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            });

            Assert.Equal(200, allowed);
        }
    }

    [Fact]
    public void Partitions_kept_are_bounded_and_recovered_ones_go_first()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new InMemoryPartitionedRateLimiter(
            RateLimitPolicy.FixedWindow("writes", 1, TimeSpan.FromSeconds(30)), clock, maxPartitions: 10);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire($"old{i}").IsAcquired);
        }

        clock.Advance(TimeSpan.FromSeconds(30));  // the old partitions' windows are over: nothing to lose
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire($"new{i}").IsAcquired);
        }

        Assert.Equal(10, limiter.PartitionCount);
        Assert.True(limiter.AttemptAcquire("newest").IsAcquired);

        Assert.Equal(6, limiter.PartitionCount);
        Assert.False(limiter.AttemptAcquire("new0").IsAcquired); // its count was kept
    }

    [Fact]
    public void Past_the_bound_the_least_recently_used_partitions_are_dropped()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new InMemoryPartitionedRateLimiter(
            RateLimitPolicy.FixedWindow("writes", 1, TimeSpan.FromHours(1)), clock, maxPartitions: 10);
        for (var i = 0; i < 100; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(limiter.AttemptAcquire($"caller{i}").IsAcquired);
            Assert.InRange(limiter.PartitionCount, 1, 10);
        }

        Assert.False(limiter.AttemptAcquire("caller99").IsAcquired); // recently used: still counted
        Assert.True(limiter.AttemptAcquire("caller0").IsAcquired);   // dropped long ago: starts again
    }

    [Fact]
    public void Recovered_partitions_are_swept_periodically()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new InMemoryPartitionedRateLimiter(
            RateLimitPolicy.SlidingWindow("writes", 2, TimeSpan.FromSeconds(30), 3), clock, maxPartitions: 1000);
        for (var i = 0; i < 50; i++)
        {
            limiter.AttemptAcquire($"caller{i}").Dispose();
        }

        clock.Advance(InMemoryPartitionedRateLimiter.SweepInterval);
        limiter.AttemptAcquire("caller0").Dispose();

        Assert.Equal(1, limiter.PartitionCount);
    }
}
