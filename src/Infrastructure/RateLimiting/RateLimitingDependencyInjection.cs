using McpCqrs.Application.Common.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpCqrs.Infrastructure.RateLimiting;

public static class RateLimitingDependencyInjection
{
    /// <summary>
    /// Registers the rate limits: <see cref="RateLimitingOptions"/> from the <c>RateLimiting</c> section of
    /// <paramref name="configuration"/> (over what <paramref name="configure"/> set in code), validated at start-up;
    /// <see cref="IRateLimitPartitioner"/> (replaceable); and <see cref="IRateLimitService"/> — kept in Redis when
    /// <paramref name="redisConnectionString"/> is given (the host passes <c>Mcp:Redis</c>), else in memory.
    /// </summary>
    public static IServiceCollection AddRateLimitingCore(
        this IServiceCollection services,
        IConfiguration configuration,
        string? redisConnectionString,
        Action<RateLimitingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var useRedis = !string.IsNullOrWhiteSpace(redisConnectionString);

        services.AddOptions<RateLimitingOptions>()
            .Configure(options =>
            {
                configure?.Invoke(options);
                RateLimitingConfiguration.Bind(configuration.GetSection(RateLimitingOptions.SectionName), options);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>>(new RateLimitingOptionsValidator(useRedis));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRateLimitPartitioner>(sp =>
            new RateLimitPartitioner(sp.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PartitionBy));

        if (useRedis)
        {
            services.TryAddSingleton(_ => new RedisRateLimitConnection(redisConnectionString!));
            services.TryAddSingleton<IRateLimitService>(sp => new RedisRateLimitService(
                sp.GetRequiredService<IOptions<RateLimitingOptions>>(),
                sp.GetRequiredService<RedisRateLimitConnection>().Multiplexer));
        }
        else
        {
            services.TryAddSingleton<IRateLimitService, InMemoryRateLimitService>();
        }

        return services;
    }
}

/// <summary>Start-up validation of <see cref="RateLimitingOptions"/>, with the Redis-only rules when Redis keeps the counts.</summary>
internal sealed class RateLimitingOptionsValidator(bool redis) : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        if (redis)
        {
            errors.AddRange(RedisPartitionedRateLimiter.Validate(options));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
