using System.Threading.RateLimiting;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>A refused lease that carries <see cref="MetadataName.RetryAfter"/>.</summary>
internal sealed class RetryAfterLease(TimeSpan retryAfter) : RateLimitLease
{
    private static readonly string[] Names = [MetadataName.RetryAfter.Name];

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => Names;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}

/// <summary>Where the wait of a refused lease comes from.</summary>
internal static class LeaseRetryAfter
{
    /// <summary>
    /// The lease's own retry-after: <see cref="MetadataName.RetryAfter"/> (a <see cref="TimeSpan"/>, what the BCL
    /// limiters and the in-memory limits attach), else RedisRateLimiting's <c>RATELIMIT_RETRYAFTER</c> (whole
    /// seconds: fixed window and token bucket attach it). Without either (Redis sliding window), the shortest
    /// wait the algorithm allows: <see cref="RateLimitPolicy.MinimumRetryAfter"/>.
    /// </summary>
    /// <summary>RedisRateLimiting's <c>RateLimitMetadataName.RetryAfter</c>, by its name (metadata names compare by name).</summary>
    private static readonly MetadataName<int> RedisRetryAfter = MetadataName.Create<int>("RATELIMIT_RETRYAFTER");

    public static TimeSpan Resolve(RateLimitLease lease, RateLimitPolicy policy)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            return retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        }

        if (lease.TryGetMetadata(RedisRetryAfter, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(seconds, 0));
        }

        return policy.MinimumRetryAfter();
    }
}
