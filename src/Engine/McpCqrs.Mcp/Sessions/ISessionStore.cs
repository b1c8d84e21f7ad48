using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Sessions;

/// <summary>
/// One MCP session of the 2025-11-25 era: what <c>initialize</c> negotiated, and who opened it. Serializable, so
/// a shared store can hold it for every instance.
/// </summary>
public sealed record McpSession(
    string Id,
    string ProtocolVersion,
    Implementation? ClientInfo,
    ClientCapabilities? ClientCapabilities,
    string? PrincipalId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    LoggingLevel? LogLevel = null,
    bool Initialized = false);

/// <summary>
/// Where sessions live. An expired session (idle longer than the idle timeout, or older than the maximum age)
/// is gone: <see cref="GetAsync"/> returns null for it exactly as for an id never issued.
/// </summary>
public interface ISessionStore
{
    Task CreateAsync(McpSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the session unless <paramref name="owner"/> (a principal, or an anonymous caller's address) holds
    /// <paramref name="maxPerOwner"/> live sessions already; false when it does. Expired and deleted sessions do not
    /// count, and the count holds across every instance that shares the store.
    /// </summary>
    Task<bool> TryCreateAsync(McpSession session, string owner, int maxPerOwner, CancellationToken cancellationToken);

    /// <summary>The live session with this id (and marks it used now), or null.</summary>
    Task<McpSession?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Whether a live session has this id, without counting as a use (it does not renew the idle timeout).</summary>
    Task<bool> ExistsAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces a live session's state; false when it no longer exists.</summary>
    Task<bool> UpdateAsync(McpSession session, CancellationToken cancellationToken);

    /// <summary>Ends a session; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>How many sessions are live.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);
}

/// <summary>The shared session store cannot be reached (e.g. Redis is down): the request fails with 503.</summary>
public sealed class SessionStoreUnavailableException(Exception inner, string message = "The session store is unavailable; try again shortly.")
    : Exception(message, inner);

/// <summary>Lifetime limits of sessions. Bound from <c>Mcp:Sessions</c>.</summary>
public sealed class McpSessionOptions
{
    public const string SectionName = "Mcp:Sessions";

    /// <summary>A session unused for this long expires.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session older than this expires however busy it is.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);
}
