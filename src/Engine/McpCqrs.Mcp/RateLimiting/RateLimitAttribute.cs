namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// Names the rate-limit policies (from <c>RateLimiting:Policies</c>) a request's calls must pass, in order:
/// <c>[RateLimit("writes", "burst")]</c>. The host turns it into a binding with
/// <see cref="RateLimitingOptions.ForBinding"/>, so configuration can still override it, and an unknown policy
/// name stops the start-up like any other binding's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RateLimitAttribute(params string[] policies) : Attribute
{
    public IReadOnlyList<string> Policies { get; } = policies;
}
