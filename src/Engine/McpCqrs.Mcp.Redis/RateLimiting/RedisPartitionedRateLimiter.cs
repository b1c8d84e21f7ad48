using System.Threading.RateLimiting;
using McpCqrs.Mcp.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// One policy's limits kept in Redis with the <c>RedisRateLimiting</c> limiters, under the key
/// <c>{prefix}:{policy}:{partition}</c> (the package wraps it as <c>rl:fw:{…}</c>, <c>rl:sw:{…}</c> or
/// <c>rl:tb:{…}</c>), so every instance that uses the same Redis and prefix counts against the same limit.
/// A limiter keeps nothing in process but its options, so one is made per call: no partition cache to bound.
/// </summary>
/// <remarks>
/// Redis sliding windows are exact (a log of calls): <see cref="RateLimitPolicy.SegmentsPerWindow"/> only sets
/// the retry-after, which that limiter does not report. Fixed windows count in whole seconds.
/// </remarks>
internal sealed class RedisPartitionedRateLimiter : PartitionedRateLimiter<string>
{
    private readonly RateLimitPolicy _policy;
    private readonly string _keyPrefix;
    private readonly RedisFixedWindowRateLimiterOptions? _fixedWindow;
    private readonly RedisSlidingWindowRateLimiterOptions? _slidingWindow;
    private readonly RedisTokenBucketRateLimiterOptions? _tokenBucket;

    public RedisPartitionedRateLimiter(RateLimitPolicy policy, string keyPrefix, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _policy = policy;
        _keyPrefix = $"{keyPrefix}:{policy.Name.ToLowerInvariant()}:";
        Func<IConnectionMultiplexer> factory = () => connection;
        switch (policy.Algorithm)
        {
            case RateLimitAlgorithm.FixedWindow:
                _fixedWindow = new() { PermitLimit = policy.PermitLimit, Window = policy.Window, ConnectionMultiplexerFactory = factory };
                break;
            case RateLimitAlgorithm.SlidingWindow:
                _slidingWindow = new() { PermitLimit = policy.PermitLimit, Window = policy.Window, ConnectionMultiplexerFactory = factory };
                break;
            case RateLimitAlgorithm.TokenBucket:
                _tokenBucket = new()
                {
                    TokenLimit = policy.PermitLimit,
                    TokensPerPeriod = policy.TokensPerPeriod,
                    ReplenishmentPeriod = policy.ReplenishmentPeriod,
                    ConnectionMultiplexerFactory = factory,
                };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(policy), policy.Algorithm, $"Rate limit policy '{policy.Name}' has no algorithm.");
        }
    }

    /// <summary>Whether an exception of a Redis limiter means that Redis cannot be reached or cannot answer.</summary>
    public static bool IsUnavailable(Exception exception) => exception is RedisException or RedisTimeoutException;

    /// <summary>Problems of options that the Redis limiters cannot honour.</summary>
    public static IEnumerable<string> Validate(RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, policy) in options.Policies)
        {
            if (policy?.Algorithm == RateLimitAlgorithm.FixedWindow
                && policy.Window > TimeSpan.Zero
                && policy.Window.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                yield return $"{RateLimitingOptions.SectionName}:Policies:{name}:Window must be a whole number of seconds with Redis, which counts fixed windows in seconds (was {policy.Window}).";
            }

            if (policy?.Algorithm == RateLimitAlgorithm.TokenBucket
                && policy.ReplenishmentPeriod > TimeSpan.Zero
                && policy.ReplenishmentPeriod < TimeSpan.FromMilliseconds(1))
            {
                yield return $"{RateLimitingOptions.SectionName}:Policies:{name}:ReplenishmentPeriod must be at least a millisecond with Redis (was {policy.ReplenishmentPeriod}).";
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics(string resource) => null;

    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount) =>
        throw new NotSupportedException("Redis rate limits are asynchronous: use AcquireAsync.");

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var limiter = Create(_keyPrefix + resource);

        // The package's limiters take no token past this point: stop waiting when the caller does.
        return await limiter.AcquireAsync(permitCount, cancellationToken).AsTask().WaitAsync(cancellationToken);
    }

    private RateLimiter Create(string key) => _policy.Algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => new RedisFixedWindowRateLimiter<string>(key, _fixedWindow!),
        RateLimitAlgorithm.SlidingWindow => new RedisSlidingWindowRateLimiter<string>(key, _slidingWindow!),
        _ => new RedisTokenBucketRateLimiter<string>(key, _tokenBucket!),
    };
}
