using System.Collections.Frozen;
using System.Security.Claims;
using McpCqrs.Mcp.Security;
using Addresses = McpCqrs.Mcp.RateLimiting.ClientAddress;
using McpCqrs.Mcp.AspNetCore.Auth;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// <see cref="ICurrentUser"/> read from the request's <see cref="ClaimsPrincipal"/> through the configured claim mapping
/// (<c>Auth:Claims</c>): the subject claim (or the name identifier) is the id, the scope claims hold OAuth scopes
/// (space-separated strings or arrays), roles come from the role claims and the roles path.
/// </summary>
/// <remarks>
/// Inside a task (run by the worker, with no HTTP request) the user is the task's owner, with no scopes or roles:
/// the task's permissions were checked when it was created. An in-process call
/// (<see cref="McpCqrs.Mcp.InProcess.McpInProcessClient"/>) is made as the principal it names.
/// </remarks>
internal sealed class HttpCurrentUser(CurrentHttpContext http, ClaimMapper claims, IServiceProvider services) : ICurrentUser
{
    private (ClaimsPrincipal Of, HashSet<string> Scopes, HashSet<string> Roles)? _read;
    private McpCqrs.Mcp.Context.IMcpRequestContext? _context;

    /// <summary>
    /// The task being run exists only in a scope of no request (the worker's run): a request's scope does not look up
    /// its context, so serving a request (a long-lived GET stream among them) does not make one it never reads.
    /// </summary>
    private McpCqrs.Mcp.Context.IMcpRequestContext? Context => http.Value is null ? _context ??= services.GetService<McpCqrs.Mcp.Context.IMcpRequestContext>() : null;

    private ClaimsPrincipal? Principal => http.Principal;

    public string? Id => (Principal is { } principal ? claims.SubjectOf(principal) : null) ?? (Context?.Task?.Owner is { Length: > 0 } owner ? owner : null);

    public string? Name => Principal is { } principal ? claims.NameOf(principal) : null;

    public bool IsAuthenticated => Principal?.Identity?.IsAuthenticated == true || Context?.Task?.Owner is { Length: > 0 };

    public IReadOnlySet<string> Scopes => Read()?.Scopes ?? (IReadOnlySet<string>)FrozenSet<string>.Empty;

    /// <summary>The connection's address as address-keyed limits count it (an IPv6 address by its /64).</summary>
    public string? ClientAddress => Addresses.KeyOf(http.Value?.Connection.RemoteIpAddress);

    public IReadOnlySet<string> Roles => Read()?.Roles ?? (IReadOnlySet<string>)FrozenSet<string>.Empty;

    /// <summary>Scopes and roles read once per principal (the request's user may be set after this is resolved).</summary>
    private (ClaimsPrincipal Of, HashSet<string> Scopes, HashSet<string> Roles)? Read()
    {
        if (Principal is not { } principal)
        {
            return null;
        }

        if (_read is not { } read || !ReferenceEquals(read.Of, principal))
        {
            _read = read = (principal, claims.ScopesOf(principal), claims.RolesOf(principal));
        }

        return read;
    }
}
