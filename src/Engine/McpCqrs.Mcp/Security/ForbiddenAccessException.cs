namespace McpCqrs.Mcp.Security;

/// <summary>
/// A permission of the binding refused the caller. Each transport maps it: MCP → HTTP 403 (with
/// <c>WWW-Authenticate: Bearer error="insufficient_scope"</c> when a scope is missing); REST → 403 ProblemDetails
/// with the same header.
/// </summary>
public sealed class ForbiddenAccessException(string binding, string reason, IReadOnlyList<string> requiredScopes, bool scopeMissing)
    : Exception($"Access to '{binding}' denied: {reason}")
{
    /// <summary>Whether the token lacks a scope (a client can step up); false when a role, policy or custom permission refused.</summary>
    public bool ScopeMissing { get; } = scopeMissing;

    public string Binding { get; } = binding;

    public string Reason { get; } = reason;

    /// <summary>The scopes the binding needs (all of them, held or not): what a client should ask for when it steps up.</summary>
    public IReadOnlyList<string> RequiredScopes { get; } = requiredScopes;
}
