using System.Security.Claims;
using McpCqrs.Application.Common.Interfaces;

namespace McpCqrs.Web.Infrastructure;

/// <summary>
/// <see cref="ICurrentUser"/> read from the request's <see cref="ClaimsPrincipal"/>: <c>sub</c> (or the name
/// identifier) is the id, <c>scope</c> holds space-separated OAuth scopes, roles come from role claims.
/// </summary>
/// Inside a task (run by the worker, with no HTTP request) the user is the task's owner, with no scopes or roles:
/// the task's permissions were checked when it was created.
internal sealed class HttpCurrentUser(IHttpContextAccessor accessor, McpCqrs.Application.Mcp.Context.IMcpRequestContext? context = null) : ICurrentUser
{
    private ClaimsPrincipal? Principal => accessor.HttpContext?.User;

    public string? Id => Principal?.FindFirstValue("sub") ?? Principal?.FindFirstValue(ClaimTypes.NameIdentifier) ?? (context?.Task?.Owner is { Length: > 0 } owner ? owner : null);

    public string? Name => Principal?.FindFirstValue("name") ?? Principal?.Identity?.Name;

    public bool IsAuthenticated => Principal?.Identity?.IsAuthenticated == true || context?.Task?.Owner is { Length: > 0 };

    public IReadOnlySet<string> Scopes => Principal is null
        ? new HashSet<string>()
        : Principal.FindAll("scope")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);

    public string? ClientAddress => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public IReadOnlySet<string> Roles => Principal is null
        ? new HashSet<string>()
        : Principal.FindAll(ClaimTypes.Role).Concat(Principal.FindAll("role")).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
}
