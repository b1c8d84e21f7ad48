using FluentValidation;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp;

public static class McpDependencyInjection
{
    /// <summary>
    /// The MCP side of the application: the catalog (the marked requests of the assemblies added with
    /// <see cref="McpBuilder.AddAssembly"/> plus whatever <paramref name="configure"/> adds), the per-request context, progress and client logging. The host registers <see cref="McpServerInfo"/>.
    /// </summary>
    public static IServiceCollection AddMcpCatalog(this IServiceCollection services, Action<McpCatalogBuilder>? configure = null)
    {
        var mcp = McpBuilder.For(services);
        if (!services.Any(d => d.ServiceType == typeof(McpCatalog)))
        {
            services.AddSingleton(sp =>
            {
                // Explicit registrations keep their order and come first; the application's marked requests follow.
                var registrations = sp.GetRequiredService<McpCatalogBuilder>();
                foreach (var assembly in mcp.Assemblies)
                {
                    registrations.AddFromAssembly(assembly);
                }

                return new McpCatalog(registrations.Tools, registrations.Resources, registrations.Prompts, type => ValidatorsOf(sp, type));
            });
        }

        var builder = mcp.Catalog;
        configure?.Invoke(builder);
        services.TryAddScoped<McpRequestContext>();
        // Transient: the scope's one McpRequestContext under its interface, without a second entry in the scope's cache.
        services.TryAddTransient<IMcpRequestContext>(sp => sp.GetRequiredService<McpRequestContext>());
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
        services.TryAddSingleton(sp => new InProcess.McpInProcessClient(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<Eras.StatelessEraPolicy>()));
        AddMethodHandlers(services);
        return services;
    }

    /// <summary>
    /// The engine's method handlers (<see cref="Methods.IMcpMethodHandler{TRequest, TResult}"/>). A class that serves one
    /// method is transient, under its interface directly: a call resolves it once, so caching it in the scope (a
    /// dictionary entry per call) buys nothing. A class that serves several is scoped, each of its method interfaces
    /// resolving to that one instance of the scope.
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
                services.TryAddTransient(methods[0], type);
                continue;
            }

            services.TryAddScoped(type);
            foreach (var method in methods)
            {
                services.TryAddScoped(method, sp => sp.GetRequiredService(type));
            }
        }
    }

    /// <summary>
    /// Tasks (SEP-1686): <see cref="Tasks.McpTaskOptions"/> from <c>Mcp:Tasks</c>, the worker that runs queued calls,
    /// the sweeper of expired tasks and the change events. The store (<see cref="Tasks.IMcpTaskStore"/>) comes from a
    /// store package (<c>UseEntityFrameworkCore</c>).
    /// </summary>
    public static IServiceCollection AddMcpTasks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Tasks.McpTaskOptions>().Bind(configuration.GetSection(Tasks.McpTaskOptions.SectionName));
        services.AddHostedService<Tasks.McpTaskSweeper>();
        services.TryAddSingleton<Tasks.IMcpTaskEvents, Tasks.LocalMcpTaskEvents>();
        services.AddSingleton<Tasks.McpTaskWorker>();
        services.AddSingleton<Tasks.IMcpTaskQueue>(sp => sp.GetRequiredService<Tasks.McpTaskWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<Tasks.McpTaskWorker>());
        services.AddScoped<Tasks.McpTaskExecutor>();
        return services;
    }

    /// <summary>
    /// Tool result text formats: <see cref="Output.ToonOutputFormatter"/> as the <see cref="Output.IOutputFormatter"/>,
    /// and the <see cref="Output.OutputOptions"/> it reads. The host binds those from <see cref="Output.OutputOptions.SectionName"/>
    /// (<c>Configure</c>/<c>AddOptions().Bind</c>, or a singleton instance of its own registered first); without a
    /// binding they are the defaults (JSON). They are validated at start-up.
    /// </summary>
    public static IServiceCollection AddOutputFormats(this IServiceCollection services)
    {
        services.AddOptions<Output.OutputOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Output.OutputOptions>, Output.OutputOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<Output.OutputOptions>>().Value);
        services.TryAddSingleton<Output.IOutputFormatter, Output.ToonOutputFormatter>();
        return services;
    }

    private static List<IValidator> ValidatorsOf(IServiceProvider services, Type requestType)
    {
        using var scope = services.CreateScope();
        return [.. scope.ServiceProvider.GetServices(typeof(IValidator<>).MakeGenericType(requestType)).Cast<IValidator>()];
    }
}
