namespace McpCqrs.Mcp.Security;

/// <summary>
/// Who is making the current request, independent of the transport (REST, MCP, a background job).
/// Handlers and behaviors read the caller from here, never from an HTTP context.
/// </summary>
public interface ICurrentUser
{
    /// <summary>A stable identifier of the principal (the token's subject), or <c>null</c> when anonymous.</summary>
    string? Id { get; }

    /// <summary>A display name for audit fields such as a comment's author.</summary>
    string? Name { get; }

    bool IsAuthenticated { get; }

    IReadOnlySet<string> Scopes { get; }

    IReadOnlySet<string> Roles { get; }

    /// <summary>
    /// The caller's network address as limits count it (<see cref="RateLimiting.ClientAddress.KeyOf(System.Net.IPAddress?)"/>:
    /// an IPv6 address by its /64), for per-client limits when there is no principal; or null.
    /// </summary>
    string? ClientAddress { get; }
}
