using System.Collections.Frozen;
using System.Diagnostics;
using System.Threading.RateLimiting;
using McpCqrs.Mcp.Diagnostics;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// The evaluation both services share: each binding's policies as a chain of
/// <see cref="PartitionedRateLimiter{TResource}"/>s keyed by partition, asked in order until one refuses.
/// </summary>
internal sealed class PolicyChains : IDisposable
{
    private readonly FrozenDictionary<string, PolicyLimiter[]> _bindings;
    private readonly PolicyLimiter[] _limiters;
    private readonly Func<Exception, bool> _isUnavailable;

    /// <param name="options">Validated here as well, so a service built without the host fails the same way.</param>
    /// <param name="create">Makes the limiter of one policy (its <see cref="RateLimitPolicy.Name"/> is its key).</param>
    /// <param name="isUnavailable">Which exceptions of the limiters mean that their store cannot be reached.</param>
    /// <param name="extraValidation">Problems particular to the backend.</param>
    public PolicyChains(
        RateLimitingOptions options,
        Func<RateLimitPolicy, PartitionedRateLimiter<string>> create,
        Func<Exception, bool> isUnavailable,
        Func<RateLimitingOptions, IEnumerable<string>>? extraValidation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().Concat(extraValidation?.Invoke(options) ?? []).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(RateLimitingOptions.SectionName, typeof(RateLimitingOptions), errors);
        }

        _isUnavailable = isUnavailable;
        var used = options.Bindings.Values.SelectMany(p => p ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var limiters = options.Policies
            .Where(p => used.Contains(p.Key))
            .ToDictionary(
                p => p.Key,
                p =>
                {
                    var policy = Snapshot(p.Key, p.Value);
                    return new PolicyLimiter(policy, create(policy));
                },
                StringComparer.OrdinalIgnoreCase);
        _limiters = [.. limiters.Values];
        _bindings = options.Bindings
            .Where(b => b.Value is { Count: > 0 })
            .ToFrozenDictionary(b => b.Key, b => b.Value.Select(name => limiters[name]).ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The limiter of a policy that a binding uses (for tests and diagnostics).</summary>
    public PartitionedRateLimiter<string>? LimiterOf(string policy) =>
        _limiters.FirstOrDefault(l => string.Equals(l.Policy.Name, policy, StringComparison.OrdinalIgnoreCase))?.Limiter;

    public bool IsLimited(string binding) => _bindings.ContainsKey(binding);

    public ValueTask<RateLimitDecision> TryAcquireAsync(string binding, string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(partitionKey);
        if (!_bindings.TryGetValue(binding, out var chain))
        {
            return ValueTask.FromResult(RateLimitDecision.Allow);
        }

        // Limiters that answer at once (the in-memory ones) are evaluated without an async state machine.
        for (var i = 0; i < chain.Length; i++)
        {
            var pending = Acquire(binding, chain[i], partitionKey, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueAsync(binding, chain, i, pending, partitionKey, cancellationToken);
            }

            if (Refusal(binding, chain[i], pending.Result) is { } refused)
            {
                return ValueTask.FromResult(refused);
            }
        }

        return ValueTask.FromResult(RateLimitDecision.Allow);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Limiter.Dispose();
        }
    }

    private static RateLimitPolicy Snapshot(string name, RateLimitPolicy policy) => new()
    {
        Name = name,
        Algorithm = policy.Algorithm,
        PermitLimit = policy.PermitLimit,
        Window = policy.Window,
        SegmentsPerWindow = policy.SegmentsPerWindow,
        TokensPerPeriod = policy.TokensPerPeriod,
        ReplenishmentPeriod = policy.ReplenishmentPeriod,
        QueueLimit = policy.QueueLimit,
    };

    private static RateLimitDecision? Refusal(string binding, PolicyLimiter policy, RateLimitLease lease)
    {
        using (lease)
        {
            if (lease.IsAcquired)
            {
                return null;
            }

            ApplicationTelemetry.RateLimitRejections.Add(
                1,
                new TagList { { "mcpcqrs.rate_limit.binding", binding }, { "mcpcqrs.rate_limit.policy", policy.Policy.Name } });
            return RateLimitDecision.Deny(policy.Policy.Name, LeaseRetryAfter.Resolve(lease, policy.Policy));
        }
    }

    private async ValueTask<RateLimitDecision> ContinueAsync(
        string binding, PolicyLimiter[] chain, int index, ValueTask<RateLimitLease> pending, string partitionKey, CancellationToken cancellationToken)
    {
        for (var i = index; i < chain.Length; i++)
        {
            RateLimitLease lease;
            try
            {
                lease = await (i == index ? pending : Acquire(binding, chain[i], partitionKey, cancellationToken));
            }
            catch (Exception ex) when (_isUnavailable(ex))
            {
                throw new RateLimitUnavailableException(binding, chain[i].Policy.Name, ex);
            }

            if (Refusal(binding, chain[i], lease) is { } refused)
            {
                return refused;
            }
        }

        return RateLimitDecision.Allow;
    }

    private ValueTask<RateLimitLease> Acquire(string binding, PolicyLimiter policy, string partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            return policy.Limiter.AcquireAsync(partitionKey, 1, cancellationToken);
        }
        catch (Exception ex) when (_isUnavailable(ex))
        {
            throw new RateLimitUnavailableException(binding, policy.Policy.Name, ex);
        }
    }

    private sealed record PolicyLimiter(RateLimitPolicy Policy, PartitionedRateLimiter<string> Limiter);
}
