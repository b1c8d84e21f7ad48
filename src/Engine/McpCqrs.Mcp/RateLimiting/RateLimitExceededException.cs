namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// A call was refused by a rate limit. MCP maps it to a JSON-RPC error whose <c>data.retryAfter</c> is
/// <see cref="RetryAfterSeconds"/>; REST to 429 with <c>Retry-After: {RetryAfterSeconds}</c>.
/// </summary>
public sealed class RateLimitExceededException : Exception
{
    public RateLimitExceededException(string binding, string policy, TimeSpan retryAfter)
        : base($"Rate limit exceeded for '{binding}' (policy '{policy}'): retry after {RateLimitDecision.ToWholeSeconds(retryAfter)} s.")
    {
        Binding = binding;
        Policy = policy;
        RetryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
    }

    /// <summary>The binding (tool, resource, prompt or request type) whose call was refused.</summary>
    public string Binding { get; }

    /// <summary>The policy that refused it.</summary>
    public string Policy { get; }

    /// <summary>How long until a retry can succeed.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up, at least 1.</summary>
    public int RetryAfterSeconds => RateLimitDecision.ToWholeSeconds(RetryAfter);
}
