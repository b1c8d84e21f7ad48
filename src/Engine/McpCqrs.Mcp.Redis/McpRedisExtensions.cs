using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Resources;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

public static class McpRedisExtensions
{
    /// <summary>
    /// Keeps what instances must share in Redis: sessions (initialize on one instance, call on another), the SSE
    /// replay buffer and broker, resource subscriptions, request-state nonces, the broadcast channels that carry
    /// answers, cancels, list changes and task changes to the instance that needs them, and the rate-limit counts.
    /// Call it before the server registers its in-memory defaults (in the <c>AddMcpServer</c> callback).
    /// Keys and channels start with <paramref name="keyPrefix"/>, so several deployments can share one Redis.
    /// </summary>
    public static McpBuilder UseRedis(this McpBuilder mcp, string connectionString, string keyPrefix = "mcpcqrs")
    {
        ArgumentNullException.ThrowIfNull(mcp);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        mcp.EnsureOpen(nameof(UseRedis));
        var services = mcp.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });
        services.TryAddSingleton<ISessionStore>(sp => new RedisSessionStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<McpSessionOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            keyPrefix));
        services.TryAddSingleton<ISseReplayBuffer>(sp => new RedisSseReplayBuffer(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<SseReplayOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            keyPrefix));
        services.TryAddSingleton<ISseBroker>(sp => new RedisSseBroker(sp.GetRequiredService<IConnectionMultiplexer>(), keyPrefix, sp.GetService<ILogger<RedisSseBroker>>()));
        services.TryAddSingleton<IResourceSubscriptions>(sp => new RedisResourceSubscriptions(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            keyPrefix,
            sp.GetRequiredService<IOptions<McpSessionOptions>>().Value.MaxAge));
        services.TryAddSingleton<IRequestStateNonces>(sp => new RedisRequestStateNonces(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<TimeProvider>(), keyPrefix));
        services.TryAddSingleton<IMcpBroadcast>(sp => new RedisBroadcast(sp.GetRequiredService<IConnectionMultiplexer>(), keyPrefix, sp.GetService<ILogger<RedisBroadcast>>()));
        services.AddRedisRateLimits(connectionString);
        return mcp;
    }

    /// <summary>
    /// Rate-limit counts in Redis (shared by every instance), over their own connection: a limit check never waits
    /// behind session traffic. Register before <c>AddRateLimitingCore</c> (which otherwise counts in memory).
    /// </summary>
    public static IServiceCollection AddRedisRateLimits(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.TryAddSingleton(_ => new RedisRateLimitConnection(connectionString));
        services.TryAddSingleton<IRateLimitService>(sp => new RedisRateLimitService(
            sp.GetRequiredService<IOptions<RateLimitingOptions>>(),
            sp.GetRequiredService<RedisRateLimitConnection>().Multiplexer));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RedisRateLimitingOptionsValidator>());
        return services;
    }
}

/// <summary>The rules a Redis-kept limit adds to <see cref="RateLimitingOptions"/>.</summary>
internal sealed class RedisRateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = RedisPartitionedRateLimiter.Validate(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
