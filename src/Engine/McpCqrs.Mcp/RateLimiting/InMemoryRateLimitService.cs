using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// Rate limits kept in this process (one instance, or limits per instance), on
/// <c>System.Threading.RateLimiting</c> limiters driven by <see cref="TimeProvider"/> (see
/// <see cref="ClockDrivenPartition"/>), at most <see cref="RateLimitingOptions.MaxPartitionsPerPolicy"/>
/// callers per policy. A refusal's retry-after is exact: to the end of the fixed window, to the next segment of
/// the sliding window, to the refill that brings the token bucket enough tokens.
/// </summary>
public sealed class InMemoryRateLimitService : IRateLimitService, IDisposable
{
    private readonly PolicyChains _chains;

    public InMemoryRateLimitService(IOptions<RateLimitingOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var value = options.Value;
        _chains = new PolicyChains(
            value,
            policy => new InMemoryPartitionedRateLimiter(policy, clock, value.MaxPartitionsPerPolicy),
            static _ => false);
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(string binding, string partitionKey, CancellationToken cancellationToken) =>
        _chains.TryAcquireAsync(binding, partitionKey, cancellationToken);

    public bool IsLimited(string binding) => _chains.IsLimited(binding);

    public void Dispose() => _chains.Dispose();

    internal InMemoryPartitionedRateLimiter? LimiterOf(string policy) => _chains.LimiterOf(policy) as InMemoryPartitionedRateLimiter;
}
