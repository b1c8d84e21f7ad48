using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The HTTP request a request scope serves, set by <see cref="McpServerExtensions.UseMcpServer"/>'s first middleware
/// (null in a scope of no request: a task's run, an in-process call). It stands in for
/// <see cref="IHttpContextAccessor"/>, whose mere registration makes ASP.NET Core give up pooling the
/// <see cref="HttpContext"/> (a new context, request, response and item map for every request) and sets an async-local
/// value on each one.
/// </summary>
internal sealed class CurrentHttpContext
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    public HttpContext? Value { get; set; }

    /// <summary>
    /// The request's user; an unauthenticated principal when no authentication ran (read without the empty principal
    /// <see cref="HttpContext.User"/> would make for every such request).
    /// </summary>
    public ClaimsPrincipal? User => Value?.Features.Get<IHttpAuthenticationFeature>()?.User ?? (Value is null ? null : Anonymous);
}
