using Microsoft.Extensions.Configuration;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// Reads the <c>RateLimiting</c> section over options that code may have filled first: a policy's properties
/// override the same policy's (so <c>RateLimiting__Policies__writes__PermitLimit=100</c> changes one number),
/// and a binding's list replaces the binding's list (configuration binding would append to it).
/// A binding is a JSON array (<c>["writes", "burst"]</c>), a comma-separated string (<c>"writes, burst"</c>), or
/// empty (<c>[]</c> or <c>""</c>: explicitly not limited).
/// </summary>
internal static class RateLimitingConfiguration
{
    public static void Bind(IConfiguration section, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var path = section is IConfigurationSection s ? s.Path : RateLimitingOptions.SectionName;

        options.PartitionBy = Value(section, path, nameof(RateLimitingOptions.PartitionBy), options.PartitionBy);
        options.TrustForwardedHeaders = Value(section, path, nameof(RateLimitingOptions.TrustForwardedHeaders), options.TrustForwardedHeaders);
        options.MaxPartitionsPerPolicy = Value(section, path, nameof(RateLimitingOptions.MaxPartitionsPerPolicy), options.MaxPartitionsPerPolicy);
        options.RedisKeyPrefix = Value(section, path, nameof(RateLimitingOptions.RedisKeyPrefix), options.RedisKeyPrefix);

        foreach (var child in section.GetSection(nameof(RateLimitingOptions.Policies)).GetChildren())
        {
            var policy = options.Policies.TryGetValue(child.Key, out var existing) && existing is not null ? existing : new RateLimitPolicy();
            try
            {
                child.Bind(policy);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException(
                    $"{child.Path} is not a valid rate-limit policy: {ex.Message} {ex.InnerException?.Message} " +
                    "Algorithm is FixedWindow, SlidingWindow or TokenBucket; time spans are written like \"00:01:00\".",
                    ex);
            }

            if (string.IsNullOrEmpty(policy.Name))
            {
                policy.Name = child.Key;
            }

            options.Policies[child.Key] = policy;
        }

        foreach (var child in section.GetSection(nameof(RateLimitingOptions.Bindings)).GetChildren())
        {
            var items = child.GetChildren().ToList();
            options.Bindings[child.Key] = items.Count > 0
                ? [.. items.Select(i => i.Value?.Trim() ?? string.Empty)]
                : [.. (child.Value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        }
    }

    private static T Value<T>(IConfiguration section, string path, string key, T current)
    {
        if (section[key] is null)
        {
            return current;
        }

        try
        {
            return section.GetValue(key, current)!;
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{path}:{key} '{section[key]}' is not a valid {typeof(T).Name}. {ex.InnerException?.Message}", ex);
        }
    }
}
