using FluentValidation;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Application.Mcp;

public static class McpDependencyInjection
{
    /// <summary>
    /// The MCP side of the application: the catalog (this assembly's <c>[McpTool]</c> requests plus whatever
    /// <paramref name="configure"/> adds), the per-request context, progress and client logging. The host registers <see cref="McpServerInfo"/>.
    /// </summary>
    public static IServiceCollection AddMcpCatalog(this IServiceCollection services, Action<McpCatalogBuilder>? configure = null)
    {
        var builder = services.FirstOrDefault(d => d.ServiceType == typeof(McpCatalogBuilder))?.ImplementationInstance as McpCatalogBuilder;
        if (builder is null)
        {
            builder = new McpCatalogBuilder();
            services.AddSingleton(builder);
            services.AddSingleton(sp =>
            {
                // Explicit registrations keep their order and come first; this assembly's marked requests follow.
                var registrations = sp.GetRequiredService<McpCatalogBuilder>().AddFromAssembly(typeof(McpDependencyInjection).Assembly);
                return new McpCatalog(registrations.Tools, registrations.Resources, registrations.Prompts, type => ValidatorsOf(sp, type));
            });
        }

        configure?.Invoke(builder);
        services.TryAddScoped<McpRequestContext>();
        services.TryAddScoped<IMcpRequestContext>(sp => sp.GetRequiredService<McpRequestContext>());
        services.TryAddScoped<IProgressReporter, McpProgressReporter>();
        services.TryAddScoped<IMcpClientLogger, McpClientLogger>();
        services.TryAddScoped<IClientInput, McpClientInput>();
        services.TryAddScoped<Resources.IResourceNotifier, Resources.ResourceNotifier>();
        return services;
    }

    /// <summary>
    /// The one dispatch path and the policies of the two eras. Their stores come from the host
    /// (<see cref="Context.IRequestStateNonces"/>, <see cref="Sessions.ISessionStore"/>), as do
    /// <see cref="McpProtocolOptions"/> from its configuration (defaults otherwise).
    /// </summary>
    public static IServiceCollection AddMcpDispatch(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new McpProtocolOptions());
        services.TryAddSingleton<Eras.RequestStateProtector>();
        services.TryAddSingleton<Eras.ToolListWriter>();
        services.TryAddSingleton<Eras.SessionEraPolicy>();
        services.TryAddSingleton<Eras.StatelessEraPolicy>();
        services.TryAddSingleton<Dispatch.McpDispatcher>();
        services.TryAddScoped<InProcess.McpCaller>();
        services.TryAddSingleton<InProcess.McpInProcessClient>();
        AddMethodHandlers(services);
        return services;
    }

    /// <summary>
    /// The engine's method handlers (<see cref="Methods.IMcpMethodHandler{TRequest, TResult}"/>), scoped: each class
    /// once, and each of its method interfaces resolving to that one instance of the scope. A class that serves one
    /// method is registered under its interface directly (one resolution per call instead of two).
    /// </summary>
    private static void AddMethodHandlers(IServiceCollection services)
    {
        var handlers = typeof(McpDependencyInjection).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(t => (Type: t, Methods: t.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Methods.IMcpMethodHandler<,>)).ToList()))
            .Where(h => h.Methods.Count > 0);
        foreach (var (type, methods) in handlers)
        {
            if (methods.Count == 1)
            {
                services.TryAddScoped(methods[0], type);
                continue;
            }

            services.TryAddScoped(type);
            foreach (var method in methods)
            {
                services.TryAddScoped(method, sp => sp.GetRequiredService(type));
            }
        }
    }

    private static List<IValidator> ValidatorsOf(IServiceProvider services, Type requestType)
    {
        using var scope = services.CreateScope();
        return [.. scope.ServiceProvider.GetServices(typeof(IValidator<>).MakeGenericType(requestType)).Cast<IValidator>()];
    }
}
