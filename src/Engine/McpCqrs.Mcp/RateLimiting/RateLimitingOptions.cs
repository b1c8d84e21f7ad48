using System.Globalization;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>Whose calls share one count.</summary>
public enum RateLimitPartitionBy
{
    /// <summary>The authenticated principal's id; anonymous callers by their client IP address.</summary>
    PrincipalOrClientIp,

    /// <summary>The client IP address, authenticated or not.</summary>
    ClientIp,

    /// <summary>One count for everybody (protects a downstream resource rather than sharing it fairly).</summary>
    Global,
}

/// <summary>
/// The rate limits, bound from the <c>RateLimiting</c> section and/or built in code:
/// <code>
/// options.AddPolicy(RateLimitPolicy.SlidingWindow("writes", 30, TimeSpan.FromMinutes(1), 6))
///        .AddPolicy(RateLimitPolicy.TokenBucket("burst", 5, 1, TimeSpan.FromSeconds(2)))
///        .ForBinding("create_ticket", "writes", "burst");
/// </code>
/// A binding (a tool, resource or prompt name, or a request type's name) lists the policies its calls must
/// pass, in order; a binding that lists none, or is not listed, is not limited.
/// </summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>The policies by name (case-insensitive).</summary>
    public Dictionary<string, RateLimitPolicy> Policies { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Binding name (case-insensitive) → the names of the policies its calls must pass, in order.</summary>
    public Dictionary<string, IReadOnlyList<string>> Bindings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whose calls share one count (default: the principal, else the client IP address).</summary>
    public RateLimitPartitionBy PartitionBy { get; set; } = RateLimitPartitionBy.PrincipalOrClientIp;

    /// <summary>
    /// Formerly: believe <c>X-Forwarded-For</c> from any caller (who could then pick its own partition). The client
    /// address now comes from that header only when the connection is from a proxy listed in
    /// <c>ForwardedHeaders:KnownProxies</c>/<c>KnownNetworks</c>; <c>true</c> without such a list stops the start
    /// with a message naming those keys, and with one it adds nothing.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>
    /// In-memory limits: the most partitions (callers) kept per policy. Past it, partitions whose limit has
    /// fully recovered are dropped first (nothing is lost), then the least recently used.
    /// </summary>
    public int MaxPartitionsPerPolicy { get; set; } = 100_000;

    /// <summary>
    /// Redis limits: what every key starts with. Instances that share a Redis and this prefix share their
    /// limits; give each application (or test) its own.
    /// </summary>
    public string RedisKeyPrefix { get; set; } = "mcpcqrs:rl";

    /// <summary>Adds (or replaces) a policy under its <see cref="RateLimitPolicy.Name"/>.</summary>
    public RateLimitingOptions AddPolicy(RateLimitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrWhiteSpace(policy.Name);
        Policies[policy.Name] = policy;
        return this;
    }

    /// <summary>
    /// Makes calls of <paramref name="binding"/> pass <paramref name="policies"/>, in this order (replacing what
    /// the binding had). No policies: the binding is explicitly not limited.
    /// </summary>
    public RateLimitingOptions ForBinding(string binding, params string[] policies)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(binding);
        ArgumentNullException.ThrowIfNull(policies);
        Bindings[binding] = [.. policies];
        return this;
    }

    /// <summary>The policies of <paramref name="binding"/>, in order; empty when it is not limited.</summary>
    public IReadOnlyList<string> PoliciesFor(string binding) =>
        Bindings.TryGetValue(binding, out var policies) ? policies : [];

    /// <summary>
    /// Every problem with the options, one sentence each naming the configuration path and the bad value:
    /// invalid policies, and bindings that name a policy that does not exist. Empty when usable.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(PartitionBy))
        {
            errors.Add($"{SectionName}:PartitionBy '{PartitionBy}' is not one of PrincipalOrClientIp, ClientIp, Global.");
        }

        if (MaxPartitionsPerPolicy < 1)
        {
            errors.Add($"{SectionName}:MaxPartitionsPerPolicy must be at least 1 (was {MaxPartitionsPerPolicy.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (string.IsNullOrWhiteSpace(RedisKeyPrefix))
        {
            errors.Add($"{SectionName}:RedisKeyPrefix must not be empty.");
        }

        foreach (var (key, policy) in Policies.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (policy is null)
            {
                errors.Add($"{SectionName}:Policies:{key} is empty: give it an Algorithm and its limits.");
                continue;
            }

            if (!string.IsNullOrEmpty(policy.Name) && !string.Equals(policy.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{SectionName}:Policies:{key} is named '{policy.Name}': a policy's Name must be its key (or left out).");
                continue;
            }

            errors.AddRange(policy.ValidateAs(key));
        }

        foreach (var (binding, policies) in Bindings.OrderBy(b => b.Key, StringComparer.OrdinalIgnoreCase))
        {
            var path = $"{SectionName}:Bindings:{binding}";
            if (string.IsNullOrWhiteSpace(binding))
            {
                errors.Add($"{SectionName}:Bindings has a binding without a name.");
                continue;
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in policies ?? [])
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    errors.Add($"{path} lists an empty policy name.");
                }
                else if (!Policies.ContainsKey(name))
                {
                    var defined = Policies.Count == 0 ? "none is defined" : "defined: " + string.Join(", ", Policies.Keys.Order(StringComparer.OrdinalIgnoreCase));
                    errors.Add($"{path} refers to policy '{name}', which is not defined in {SectionName}:Policies ({defined}).");
                }
                else if (!seen.Add(name))
                {
                    errors.Add($"{path} lists policy '{name}' twice: each call would be counted twice against it.");
                }
            }
        }

        return errors;
    }
}
