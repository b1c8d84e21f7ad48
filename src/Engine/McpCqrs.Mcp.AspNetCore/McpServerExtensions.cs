using McpCqrs.Mcp.AspNetCore.Auth;
using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Security;
using McpCqrs.Querying;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore;

public static class McpServerExtensions
{
    /// <summary>
    /// The MCP server: the engine (catalog, dispatch, tasks, output formats), the Streamable HTTP transport, rate
    /// limits, the caller as <see cref="ICurrentUser"/>, forwarded headers from known proxies, and authentication by
    /// <c>Auth:Backend</c>. <paramref name="configure"/> runs first: add the application's assemblies there
    /// (<see cref="McpBuilder.AddAssembly"/>) and the stores of other packages (<c>UseRedis</c>,
    /// <c>UseEntityFrameworkCore</c>), or do so before this call; after it, they throw. Tasks are served when a task
    /// store is registered (<c>UseEntityFrameworkCore</c>). Serve it with <see cref="UseMcpServer"/> and
    /// <see cref="McpEndpoints.MapMcp"/>.
    /// </summary>
    public static IServiceCollection AddMcpServer(
        this IServiceCollection services,
        IConfiguration configuration,
        IHostEnvironment environment,
        Action<McpBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var mcp = McpBuilder.For(services);
        configure?.Invoke(mcp);

        services.AddOptions<QueryingOptions>().Bind(configuration.GetSection(QueryingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton(sp => sp.GetRequiredService<IOptions<QueryingOptions>>().Value));
        services.AddRateLimitingCore(configuration, limits =>
        {
            foreach (var assembly in mcp.Assemblies)
            {
                foreach (var (binding, policies) in RequestBindings.DeclaredIn(assembly))
                {
                    limits.ForBinding(binding, [.. policies]);
                }
            }
        });
        services.AddOutputFormats();
        if (services.Any(d => d.ServiceType == typeof(McpCqrs.Mcp.Tasks.IMcpTaskStore)))
        {
            services.AddMcpTasks(configuration);
        }

        services.AddMcpTransport(configuration);
        services.AddKnownProxies(configuration);
        services.TryAddScoped<CurrentHttpContext>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, CurrentHttpContext.Filter>());
        services.TryAddTransient<ICurrentUser>(sp => sp.GetRequiredService<CurrentHttpContext>().User);
        services.AddMcpAuth(configuration, environment);
        mcp.Seal();
        return services;
    }

    /// <summary>
    /// The server's middleware, in order: the client address from known proxies, limits on the token endpoints (before
    /// authentication, where OpenIddict answers them), authentication and authorization. (The request is made known
    /// to its scope, the current user's source, by a startup filter <c>AddMcpServer</c> adds: before any middleware.)
    /// </summary>
    public static WebApplication UseMcpServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseKnownProxies();
        app.UseTokenRequestLimits();
        app.UseMcpAuth();
        return app;
    }
}
