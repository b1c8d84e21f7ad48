using McpCqrs.Mcp.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// Rate limits kept in Redis (package <c>RedisRateLimiting</c>), shared by every instance that uses the same
/// Redis and <see cref="RateLimitingOptions.RedisKeyPrefix"/>. When Redis cannot be reached a call is neither
/// allowed nor refused: <see cref="RateLimitUnavailableException"/> (the host answers 503).
/// </summary>
internal sealed class RedisRateLimitService : IRateLimitService, IDisposable
{
    private readonly PolicyChains _chains;

    /// <param name="options">The limits.</param>
    /// <param name="connection">The Redis connection; the caller owns it.</param>
    public RedisRateLimitService(IOptions<RateLimitingOptions> options, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connection);
        var value = options.Value;
        _chains = new PolicyChains(
            value,
            policy => new RedisPartitionedRateLimiter(policy, value.RedisKeyPrefix, connection),
            RedisPartitionedRateLimiter.IsUnavailable,
            RedisPartitionedRateLimiter.Validate);
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(string binding, string partitionKey, CancellationToken cancellationToken) =>
        _chains.TryAcquireAsync(binding, partitionKey, cancellationToken);

    public bool IsLimited(string binding) => _chains.IsLimited(binding);

    public void Dispose() => _chains.Dispose();
}

/// <summary>
/// The rate limiter's own Redis connection. It does not abort when Redis is down at start-up, and it fails a
/// command at once while disconnected (instead of queueing it for the timeout): a limit check then answers
/// 503 quickly, and succeeds again as soon as the connection comes back.
/// </summary>
internal sealed class RedisRateLimitConnection : IDisposable
{
    public RedisRateLimitConnection(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "mcpcqrs-rate-limiting";
        Multiplexer = ConnectionMultiplexer.Connect(options);
    }

    public IConnectionMultiplexer Multiplexer { get; }

    public void Dispose() => Multiplexer.Dispose();
}
