using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.RateLimiting;

public static class RateLimitingDependencyInjection
{
    /// <summary>
    /// Registers the rate limits: <see cref="RateLimitingOptions"/> from the <c>RateLimiting</c> section of
    /// <paramref name="configuration"/> (over what <paramref name="configure"/> set in code), validated at start-up;
    /// <see cref="IRateLimitPartitioner"/> (replaceable); and <see cref="IRateLimitService"/> — in memory unless a
    /// distributed one was registered first (<c>UseRedis</c> of <c>McpCqrs.Mcp.Redis</c>).
    /// </summary>
    public static IServiceCollection AddRateLimitingCore(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<RateLimitingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RateLimitingOptions>()
            .Configure(options =>
            {
                configure?.Invoke(options);
                RateLimitingConfiguration.Bind(configuration.GetSection(RateLimitingOptions.SectionName), options);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRateLimitPartitioner>(sp =>
            new RateLimitPartitioner(sp.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PartitionBy));

        services.TryAddSingleton<IRateLimitService, InMemoryRateLimitService>();
        return services;
    }
}

/// <summary>Start-up validation of <see cref="RateLimitingOptions"/> (a distributed store adds its own rules).</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
