using McpCqrs.Mcp.RateLimiting;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>Retry-after on the wire, the typed errors, and the default partition keys.</summary>
public sealed class RateLimitDecisionTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(10_000_000, 1)]
    [InlineData(10_000_001, 2)]
    [InlineData(595_000_000, 60)]
    [InlineData(-5, 1)]
    public void Retry_after_goes_on_the_wire_as_whole_seconds_rounded_up_at_least_one(long ticks, int seconds)
    {
        Assert.Equal(seconds, RateLimitDecision.ToWholeSeconds(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void A_refusal_carries_policy_and_wait_an_allowance_neither()
    {
        var refused = RateLimitDecision.Deny("writes", TimeSpan.FromSeconds(2.5));

        Assert.False(refused.Allowed);
        Assert.Equal("writes", refused.Policy);
        Assert.Equal(TimeSpan.FromSeconds(2.5), refused.RetryAfter);
        Assert.Equal(3, refused.RetryAfterSeconds);
        Assert.True(RateLimitDecision.Allow.Allowed);
        Assert.Null(RateLimitDecision.Allow.RetryAfterSeconds);
        RateLimitDecision.Allow.ThrowIfDenied("create_ticket");
    }

    [Fact]
    public void A_refusal_throws_the_typed_error()
    {
        var refused = RateLimitDecision.Deny("writes", TimeSpan.FromMilliseconds(200));

        var error = Assert.Throws<RateLimitExceededException>(() => refused.ThrowIfDenied("create_ticket"));

        Assert.Equal(("create_ticket", "writes", TimeSpan.FromMilliseconds(200), 1), (error.Binding, error.Policy, error.RetryAfter, error.RetryAfterSeconds));
        Assert.Equal("Rate limit exceeded for 'create_ticket' (policy 'writes'): retry after 1 s.", error.Message);
    }

    [Theory]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, "42", "203.0.113.7", "user:42")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, null, "203.0.113.7", "ip:203.0.113.7")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, " ", " 203.0.113.7 ", "ip:203.0.113.7")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, null, null, "anonymous")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, null, "::ffff:198.51.100.4", "ip:198.51.100.4")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, null, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "ip:2001:db8:1:2::/64")]
    [InlineData(RateLimitPartitionBy.PrincipalOrClientIp, null, "2001:db8:1:2::9", "ip:2001:db8:1:2::/64")]
    [InlineData(RateLimitPartitionBy.ClientIp, "42", "203.0.113.7", "ip:203.0.113.7")]
    [InlineData(RateLimitPartitionBy.ClientIp, "42", null, "anonymous")]
    [InlineData(RateLimitPartitionBy.Global, "42", "203.0.113.7", "global")]
    public void The_default_partitioner_keys_by_principal_or_address(RateLimitPartitionBy by, string? userId, string? clientIp, string key)
    {
        Assert.Equal(key, new RateLimitPartitioner(by).GetPartitionKey(userId, clientIp));
    }

    [Fact]
    public void A_callers_key_is_built_once_and_the_same_on_every_call()
    {
        var partitioner = new RateLimitPartitioner(RateLimitPartitionBy.PrincipalOrClientIp);

        var first = partitioner.GetPartitionKey(null, " 203.0.113.7 ");
        var again = partitioner.GetPartitionKey(null, " 203.0.113.7 ");
        var user = partitioner.GetPartitionKey("42", "203.0.113.7");

        Assert.Equal("ip:203.0.113.7", first);
        Assert.Same(first, again);
        Assert.Same(user, partitioner.GetPartitionKey("42", null));
        Assert.Equal("user:42", user);
    }

    [Fact]
    public void The_memo_of_keys_stays_bounded_and_keeps_answering_right_past_its_bound()
    {
        var built = 0;
        var memo = new KeyMemo(source => { built++; return "k:" + source; }, capacity: 3);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"k:{i}", memo.Of(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal("k:9", memo.Of("9"));
        Assert.Equal(10, built); // the newest key is still held
        Assert.Equal("k:0", memo.Of("0"));
        Assert.Equal(11, built); // an early one was let go when the memo started over, and is built again
        Assert.True(memo.Count <= 3, $"the memo holds {memo.Count} keys, more than its bound of 3");
    }
}
