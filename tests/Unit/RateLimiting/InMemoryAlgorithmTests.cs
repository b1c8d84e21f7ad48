using McpCqrs.Mcp.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>Each algorithm's allow/deny and retry-after, on a fake clock (no sleeps).</summary>
public sealed class InMemoryAlgorithmTests
{
    [Fact]
    public async Task Fixed_window_allows_the_limit_then_refuses_until_the_window_ends()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("writes", 3, TimeSpan.FromSeconds(10)))
            .ForBinding("create_ticket", "writes"));

        Assert.Equal(3, await t.Allowed("create_ticket", 3));
        var refused = await t.Call("create_ticket");
        Assert.False(refused.Allowed);
        Assert.Equal("writes", refused.Policy);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
        Assert.Equal(10, refused.RetryAfterSeconds);

        t.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), (await t.Call("create_ticket")).RetryAfter);

        t.Clock.Advance(TimeSpan.FromSeconds(5.5));
        var last = await t.Call("create_ticket");
        Assert.Equal(TimeSpan.FromSeconds(0.5), last.RetryAfter);
        Assert.Equal(1, last.RetryAfterSeconds);

        t.Clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(3, await t.Allowed("create_ticket", 4));
    }

    [Fact]
    public async Task Fixed_windows_follow_one_another_from_the_first_call()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("writes", 1, TimeSpan.FromSeconds(10)))
            .ForBinding("create_ticket", "writes"));

        Assert.True((await t.Call("create_ticket")).Allowed);

        // 25 s later the third window (20 s to 30 s) is under way: 5 s of it are left.
        t.Clock.Advance(TimeSpan.FromSeconds(25));
        Assert.True((await t.Call("create_ticket")).Allowed);
        Assert.Equal(TimeSpan.FromSeconds(5), (await t.Call("create_ticket")).RetryAfter);
    }

    [Fact]
    public async Task Sliding_window_gives_permits_back_when_their_segment_leaves_the_window()
    {
        // 4 calls in any 10 s, the window sliding by 2 s segments.
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.SlidingWindow("writes", 4, TimeSpan.FromSeconds(10), 5))
            .ForBinding("create_ticket", "writes"));

        Assert.Equal(2, await t.Allowed("create_ticket", 2));     // segment 0 s - 2 s
        t.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(2, await t.Allowed("create_ticket", 2));     // segment 4 s - 6 s

        var refused = await t.Call("create_ticket");
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter); // the next segment starts at 6 s

        t.Clock.Advance(TimeSpan.FromSeconds(1.25));               // 5.25 s
        Assert.Equal(TimeSpan.FromSeconds(0.75), (await t.Call("create_ticket")).RetryAfter);

        t.Clock.Advance(TimeSpan.FromSeconds(2.75));               // 8 s: the first calls are still in the window
        Assert.Equal(0, await t.Allowed("create_ticket", 1));

        t.Clock.Advance(TimeSpan.FromSeconds(2));                  // 10 s: the 0 s - 2 s segment has left it
        Assert.Equal(2, await t.Allowed("create_ticket", 3));

        t.Clock.Advance(TimeSpan.FromSeconds(4));                  // 14 s: the 4 s - 6 s segment has left it
        Assert.Equal(2, await t.Allowed("create_ticket", 3));
    }

    [Fact]
    public async Task Sliding_window_recovers_fully_after_a_whole_window_of_silence()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.SlidingWindow("writes", 3, TimeSpan.FromMinutes(1), 6))
            .ForBinding("create_ticket", "writes"));

        Assert.Equal(3, await t.Allowed("create_ticket", 5));
        t.Clock.Advance(TimeSpan.FromDays(3));

        Assert.Equal(3, await t.Allowed("create_ticket", 5));
    }

    [Fact]
    public async Task Sliding_window_of_one_segment_is_a_fixed_window()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.SlidingWindow("writes", 2, TimeSpan.FromSeconds(10), 1))
            .ForBinding("create_ticket", "writes"));

        Assert.Equal(2, await t.Allowed("create_ticket", 3));
        t.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(7), (await t.Call("create_ticket")).RetryAfter);
        t.Clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(2, await t.Allowed("create_ticket", 3));
    }

    [Fact]
    public async Task Token_bucket_allows_a_burst_then_one_call_per_refill()
    {
        // A bucket of 3, one token back every 5 s.
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.TokenBucket("burst", 3, 1, TimeSpan.FromSeconds(5)))
            .ForBinding("create_ticket", "burst"));

        Assert.Equal(3, await t.Allowed("create_ticket", 3));
        var refused = await t.Call("create_ticket");
        Assert.Equal("burst", refused.Policy);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.RetryAfter);

        t.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), (await t.Call("create_ticket")).RetryAfter);

        t.Clock.Advance(TimeSpan.FromSeconds(3));                  // 5 s: one token
        Assert.Equal(1, await t.Allowed("create_ticket", 2));
        Assert.Equal(TimeSpan.FromSeconds(5), (await t.Call("create_ticket")).RetryAfter);

        t.Clock.Advance(TimeSpan.FromSeconds(12));                 // 17 s: two more refills, at 10 s and 15 s
        Assert.Equal(2, await t.Allowed("create_ticket", 3));
        Assert.Equal(TimeSpan.FromSeconds(3), (await t.Call("create_ticket")).RetryAfter);

        t.Clock.Advance(TimeSpan.FromHours(1));                    // never more than the bucket holds
        Assert.Equal(3, await t.Allowed("create_ticket", 4));
    }

    [Fact]
    public async Task Token_bucket_refills_several_tokens_per_period()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.TokenBucket("burst", 4, 2, TimeSpan.FromSeconds(10)))
            .ForBinding("create_ticket", "burst"));

        Assert.Equal(4, await t.Allowed("create_ticket", 5));
        t.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await t.Allowed("create_ticket", 3));
        Assert.Equal(0, t.Available("burst"));
    }

    [Fact]
    public void Token_bucket_retry_after_waits_for_enough_tokens()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new InMemoryPartitionedRateLimiter(
            RateLimitPolicy.TokenBucket("burst", 4, 1, TimeSpan.FromSeconds(5)), clock, 100);

        using (var all = limiter.AttemptAcquire("p", 4))
        {
            Assert.True(all.IsAcquired);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using var three = limiter.AttemptAcquire("p", 3);

        // Three refills are missing: at 5 s, 10 s and 15 s; it is 1 s now.
        Assert.False(three.IsAcquired);
        Assert.True(three.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(14), retryAfter);
    }

    [Fact]
    public async Task Time_moves_only_with_the_clock()
    {
        using var t = new RateLimitTesting(o => o
            .AddPolicy(RateLimitPolicy.FixedWindow("fixed", 1, TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond)))
            .AddPolicy(RateLimitPolicy.SlidingWindow("sliding", 1, TimeSpan.FromMilliseconds(2), 2))
            .AddPolicy(RateLimitPolicy.TokenBucket("bucket", 1, 1, TimeSpan.FromMilliseconds(1)))
            .ForBinding("a", "fixed")
            .ForBinding("b", "sliding")
            .ForBinding("c", "bucket"));

        // Real time passes while this runs, but the fake clock stands still: no permit comes back.
        foreach (var binding in new[] { "a", "b", "c" })
        {
            Assert.Equal(1, await t.Allowed(binding, 200));
        }

        t.Clock.Advance(TimeSpan.FromMilliseconds(2));
        foreach (var binding in new[] { "a", "b", "c" })
        {
            Assert.Equal(1, await t.Allowed(binding, 3));
        }
    }
}
