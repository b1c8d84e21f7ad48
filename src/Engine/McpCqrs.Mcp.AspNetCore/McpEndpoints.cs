using McpCqrs.Mcp.Listen;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Resources;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Mcp.AspNetCore;

public static class McpEndpoints
{
    /// <summary>The transport's services: options, origin policy, in-memory session store and streams, notifier.</summary>
    public static IServiceCollection AddMcpTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<McpTransportOptions>().Bind(configuration.GetSection(McpTransportOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<McpProtocolOptions>().Bind(configuration.GetSection(McpProtocolOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpProtocolOptions>>().Value);
        services.AddOptions<McpServerInfo>().Bind(configuration.GetSection(McpServerInfo.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<McpSessionOptions>().Bind(configuration.GetSection(McpSessionOptions.SectionName));
        services.AddOptions<McpLimitsOptions>().Bind(configuration.GetSection(McpLimitsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<McpCqrs.Mcp.RateLimiting.RateLimitingOptions>()
            .PostConfigure<Microsoft.Extensions.Options.IOptions<McpLimitsOptions>>((rateLimits, limits) => McpCqrs.Mcp.Eras.SessionRate.Register(rateLimits, limits.Value));
        services.AddOptions<SseReplayOptions>().Bind(configuration.GetSection(SseReplayOptions.SectionName));
        services.AddOptions<McpCqrs.Mcp.Output.OutputOptions>().Bind(configuration.GetSection(McpCqrs.Mcp.Output.OutputOptions.SectionName));
        services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpServerInfo>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpLimitsOptions>>().Value);

        services.AddMcpCatalog();
        services.AddMcpDispatch();
        if (services.Any(d => d.ServiceType == typeof(IMcpBroadcast)))
        {
            // Resource updates reach the listen streams of every instance, not only this one's.
            services.AddSingleton<DistributedResourceUpdates>();
            services.AddSingleton<IResourceUpdateListener>(sp => sp.GetRequiredService<DistributedResourceUpdates>());
            services.AddHostedService(sp => sp.GetRequiredService<DistributedResourceUpdates>());

            // Task changes wake waiters and reach listeners on every instance.
            services.AddSingleton<DistributedTaskEvents>();
            services.AddSingleton<McpCqrs.Mcp.Tasks.IMcpTaskEvents>(sp => sp.GetRequiredService<DistributedTaskEvents>());
            services.AddHostedService(sp => sp.GetRequiredService<DistributedTaskEvents>());

            // Answers, cancels and session ends reach the instance that holds the request.
            services.AddSingleton<DistributedSessionSignals>();
            services.AddSingleton<SessionSignals>(sp => sp.GetRequiredService<DistributedSessionSignals>());
            services.AddHostedService(sp => sp.GetRequiredService<DistributedSessionSignals>());

            // A broadcast reaches the GET streams of every instance.
            services.AddSingleton<DistributedBroadcasts>();
            services.AddHostedService(sp => sp.GetRequiredService<DistributedBroadcasts>());
        }
        else
        {
            services.AddSingleton<IResourceUpdateListener>(sp => sp.GetRequiredService<ListenStreams>());
        }

        services.TryAddSingleton<ISessionStore, InMemorySessionStore>();
        services.TryAddSingleton<ISseReplayBuffer, InMemorySseReplayBuffer>();
        services.TryAddSingleton<ISseBroker, InMemorySseBroker>();
        services.TryAddSingleton<IResourceSubscriptions, InMemoryResourceSubscriptions>();
        services.TryAddSingleton<IRequestStateNonces, InMemoryRequestStateNonces>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<InFlightRequests>();
        services.AddSingleton<PendingClientRequests>();
        services.AddSingleton<OpenStreams>();
        services.AddSingleton<KeepAliveBeats>();
        services.TryAddSingleton<SessionSignals>();
        services.AddSingleton<McpHttpTransport>();
        services.AddSingleton<McpGauges>();
        services.AddSingleton<ListenStreams>();
        services.AddSingleton<McpCqrs.Mcp.Tasks.TaskNotifications>();
        services.AddHostedService<TaskNotificationsService>();
        services.AddSingleton<McpCqrs.Mcp.Tasks.IMcpTaskWatchers>(sp => sp.GetRequiredService<McpCqrs.Mcp.Tasks.TaskNotifications>());
        services.AddSingleton<StreamNotifications>();
        services.AddSingleton<IMcpNotifier, McpNotifier>();
        services.AddHostedService<CatalogChangeNotifier>();
        return services;
    }

    /// <summary>A tool that may run as a task needs a task store: without one the start says so (not its first call).</summary>
    private static void EnsureTaskStore(IServiceProvider services)
    {
        if (services.GetService<McpCqrs.Mcp.Tasks.IMcpTaskQueue>() is not null)
        {
            return;
        }

        var taskTools = services.GetRequiredService<McpCqrs.Mcp.Catalog.McpCatalog>().Tools
            .Where(t => t.TaskSupport != McpCqrs.Mcp.Catalog.TaskSupport.Forbidden)
            .Select(t => t.Name)
            .ToList();
        if (taskTools.Count > 0)
        {
            throw new InvalidOperationException(
                $"The tools {string.Join(", ", taskTools)} may run as tasks, but no task store is registered: add UseEntityFrameworkCore<TContext>() "
                + "(McpCqrs.Mcp.EntityFrameworkCore) in AddMcpServer's callback, or make them run inline.");
        }
    }

    /// <summary>Serves MCP (Streamable HTTP) at <paramref name="pattern"/>: POST, GET and DELETE.</summary>
    public static IEndpointConventionBuilder MapMcp(this IEndpointRouteBuilder routes, string pattern = "/mcp")
    {
        _ = routes.ServiceProvider.GetRequiredService<McpGauges>();
        MediatorCheck.EnsureEngineRegistered(routes.ServiceProvider);
        EnsureTaskStore(routes.ServiceProvider);
        McpCqrs.Mcp.Catalog.PermissionGuard.EnsureGuarded(
            routes.ServiceProvider.GetRequiredService<McpCqrs.Mcp.Catalog.McpCatalog>(),
            routes.ServiceProvider.GetRequiredService<McpCqrs.Mcp.Security.PermissionEvaluator>(),
            routes.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment());
        var group = routes.MapGroup(pattern).ExcludeFromDescription();
        group.MapPost(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.PostAsync(http));
        group.MapGet(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.GetAsync(http));
        group.MapDelete(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.DeleteAsync(http));
        return group;
    }
}
