namespace McpCqrs.Mcp.Security;

/// <summary>What a custom permission sees: the binding's name, the request (null when a listing asks whether to show the binding) and the caller.</summary>
public sealed record PermissionContext(string Binding, object? Request, ICurrentUser User);

/// <summary>
/// A permission written in code, for rules no scope, role or policy expresses (e.g. "only the ticket's assignee").
/// Mark a request with <c>[PermissionRequired&lt;T&gt;]</c>. Return a reason to refuse, null to grant.
/// </summary>
public interface IMcpPermission
{
    ValueTask<string?> CheckAsync(PermissionContext context, CancellationToken cancellationToken);
}

/// <summary>Evaluates an ASP.NET Core authorization policy for the current caller (implemented by the web layer).</summary>
public interface IPolicyEvaluator
{
    ValueTask<bool> IsAllowedAsync(string policy, object? resource, CancellationToken cancellationToken);
}
