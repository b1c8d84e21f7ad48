namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// The store that keeps the counts (Redis) could not be reached, so the call is neither allowed nor refused:
/// the host answers 503 (REST) or a JSON-RPC internal error saying the service is temporarily unavailable.
/// The call is never let through silently, because a limit that fails open is no limit under an outage.
/// </summary>
public sealed class RateLimitUnavailableException : Exception
{
    public RateLimitUnavailableException(string binding, string policy, Exception innerException)
        : base($"Rate limit store unavailable while checking '{binding}' (policy '{policy}'): {innerException?.Message}", innerException)
    {
        Binding = binding;
        Policy = policy;
    }

    public string Binding { get; }

    public string Policy { get; }
}
