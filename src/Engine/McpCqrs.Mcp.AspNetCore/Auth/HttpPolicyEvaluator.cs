using McpCqrs.Mcp.Security;
using Microsoft.AspNetCore.Authorization;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>Evaluates a named ASP.NET Core authorization policy for the request's user (or an in-process call's principal).</summary>
internal sealed class HttpPolicyEvaluator(IAuthorizationService authorization, CurrentHttpContext http) : IPolicyEvaluator
{
    public async ValueTask<bool> IsAllowedAsync(string policy, object? resource, CancellationToken cancellationToken)
    {
        var user = http.Principal ?? new System.Security.Claims.ClaimsPrincipal();
        return (await authorization.AuthorizeAsync(user, resource, policy)).Succeeded;
    }
}
