namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// Applies the rate limits of a binding to one caller. In-memory for a single instance, Redis-backed when
/// instances share their limits; both take the same <see cref="RateLimitingOptions"/>.
/// </summary>
public interface IRateLimitService
{
    /// <summary>
    /// Takes one permit from each policy of <paramref name="binding"/> for <paramref name="partitionKey"/>, in the
    /// binding's order, stopping at the first that refuses: its decision is returned. Permits already taken
    /// from the policies before it stay taken (rate limiters cannot give a permit back), and the policies after
    /// it are not asked. A binding without policies is always allowed, without any work.
    /// </summary>
    /// <exception cref="RateLimitUnavailableException">The store that keeps the counts cannot be reached.</exception>
    ValueTask<RateLimitDecision> TryAcquireAsync(string binding, string partitionKey, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="binding"/> has policies (a caller may skip working out the partition when not).</summary>
    bool IsLimited(string binding) => true;
}

/// <summary>Conveniences over <see cref="IRateLimitService"/> for the pipeline behavior and the endpoints.</summary>
public static class RateLimitServiceExtensions
{
    /// <summary>
    /// Like <see cref="IRateLimitService.TryAcquireAsync"/>, but a refusal throws
    /// <see cref="RateLimitExceededException"/>.
    /// </summary>
    public static async ValueTask EnforceAsync(
        this IRateLimitService service, string binding, string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var decision = await service.TryAcquireAsync(binding, partitionKey, cancellationToken);
        decision.ThrowIfDenied(binding);
    }

    /// <summary>
    /// <see cref="EnforceAsync"/> for <paramref name="caller"/>'s partition — worked out only when
    /// <paramref name="binding"/> has policies (an unlimited binding costs a lookup).
    /// </summary>
    public static ValueTask EnforceForAsync(
        this IRateLimitService service, string binding, IRateLimitPartitioner partitioner, Security.ICurrentUser caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(partitioner);
        ArgumentNullException.ThrowIfNull(caller);
        return service.IsLimited(binding)
            ? service.EnforceAsync(binding, partitioner.GetPartitionKey(caller.Id, caller.ClientAddress), cancellationToken)
            : ValueTask.CompletedTask;
    }
}
