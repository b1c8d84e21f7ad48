using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The HTTP request a request scope serves, set for the length of the request by the first middleware of the pipeline
/// (<see cref="Filter"/>, added by <c>AddMcpServer</c>); null in a scope of no request (a task's run, an in-process
/// call). It stands in for <see cref="IHttpContextAccessor"/>, whose mere registration makes ASP.NET Core give up
/// pooling the <see cref="HttpContext"/> (a new context, request, response and item map for every request) and sets an
/// async-local value on each one.
/// </summary>
internal sealed class CurrentHttpContext(IServiceProvider services)
{
    private HttpCurrentUser? _user;
    private McpCqrs.Mcp.InProcess.McpCaller? _caller;

    public HttpContext? Value { get; private set; }

    /// <summary>
    /// The scope's user, made on first use. <see cref="McpCqrs.Mcp.Security.ICurrentUser"/> is a transient registration that returns it: the
    /// scope's one user, without a second entry in the scope's cache (a request that resolves a scoped handler too
    /// would grow that cache past its first three slots, on every call). Being a factory registration, the container's
    /// validation on build does not name a singleton that takes <c>ICurrentUser</c>: such a singleton would hold the
    /// user of the root scope.
    /// </summary>
    public HttpCurrentUser User => _user ??= new HttpCurrentUser(this, services.GetRequiredService<Auth.ClaimMapper>(), services);

    /// <summary>
    /// The principal a call runs as: the request's user as authentication set it — null when no authentication ran
    /// (read without the empty principal <see cref="HttpContext.User"/> would make) —, else, in a scope of no request,
    /// an in-process call's own. The in-process caller exists only in such a scope, so a request's scope (a long-lived
    /// GET stream among them) never looks it up.
    /// </summary>
    public ClaimsPrincipal? Principal => Value is { } http
        ? http.Features.Get<IHttpAuthenticationFeature>()?.User
        : (_caller ??= services.GetService<McpCqrs.Mcp.InProcess.McpCaller>())?.Principal;

    /// <summary>Runs first in the pipeline: the request is known to its scope until it ends (then forgotten, the context being pooled).</summary>
    internal sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(static (http, following) =>
            {
                var current = http.RequestServices.GetRequiredService<CurrentHttpContext>();
                current.Value = http;
                var running = following(http);
                if (running.IsCompletedSuccessfully)
                {
                    current.Value = null;
                    return Task.CompletedTask;
                }

                return ForgetAfter(running, current);
            });
            next(app);
        };

        private static async Task ForgetAfter(Task running, CurrentHttpContext current)
        {
            try
            {
                await running;
            }
            finally
            {
                current.Value = null;
            }
        }
    }
}
