namespace McpCqrs.Mcp.RateLimiting;

/// <summary>The algorithms of <c>System.Threading.RateLimiting</c> (and of their Redis counterparts) a policy can use.</summary>
public enum RateLimitAlgorithm
{
    /// <summary>
    /// At most <see cref="RateLimitPolicy.PermitLimit"/> calls per <see cref="RateLimitPolicy.Window"/>; the count
    /// starts again when the window ends.
    /// </summary>
    FixedWindow,

    /// <summary>
    /// At most <see cref="RateLimitPolicy.PermitLimit"/> calls in any <see cref="RateLimitPolicy.Window"/>, which
    /// moves on by one of its <see cref="RateLimitPolicy.SegmentsPerWindow"/> segments at a time.
    /// </summary>
    SlidingWindow,

    /// <summary>
    /// A bucket of <see cref="RateLimitPolicy.PermitLimit"/> tokens, one per call, refilled with
    /// <see cref="RateLimitPolicy.TokensPerPeriod"/> tokens every <see cref="RateLimitPolicy.ReplenishmentPeriod"/>:
    /// bursts up to the bucket's size, a steady rate after that.
    /// </summary>
    TokenBucket,
}
