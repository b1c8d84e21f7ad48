using McpCqrs.Application.Mcp.Listen;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Resources;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Mcp.Streams;
using McpCqrs.Infrastructure.Mcp;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace McpCqrs.Web.Mcp;

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
        services.AddOptions<McpCqrs.Application.Common.RateLimiting.RateLimitingOptions>()
            .PostConfigure<Microsoft.Extensions.Options.IOptions<McpLimitsOptions>>((rateLimits, limits) => McpCqrs.Application.Mcp.Eras.SessionRate.Register(rateLimits, limits.Value));
        services.AddOptions<SseReplayOptions>().Bind(configuration.GetSection(SseReplayOptions.SectionName));
        services.AddOptions<McpCqrs.Application.Mcp.Output.OutputOptions>().Bind(configuration.GetSection(McpCqrs.Application.Mcp.Output.OutputOptions.SectionName));
        services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpServerInfo>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpLimitsOptions>>().Value);

        services.AddMcpCatalog();
        services.AddMcpDispatch();
        if (configuration["Mcp:Redis"] is { Length: > 0 } redis)
        {
            // Sessions shared by every instance: initialize on one, call on another.
            services.TryAddSingleton<IConnectionMultiplexer>(_ =>
            {
                var redisOptions = ConfigurationOptions.Parse(redis);
                redisOptions.AbortOnConnectFail = false;
                return ConnectionMultiplexer.Connect(redisOptions);
            });
            var prefix = configuration["Mcp:RedisKeyPrefix"] ?? "mcpcqrs";
            services.TryAddSingleton<ISessionStore>(sp => new RedisSessionStore(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpSessionOptions>>(),
                sp.GetRequiredService<TimeProvider>(),
                prefix));
            services.TryAddSingleton<ISseReplayBuffer>(sp => new RedisSseReplayBuffer(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SseReplayOptions>>(),
                sp.GetRequiredService<TimeProvider>(),
                prefix));
            services.TryAddSingleton<ISseBroker>(sp => new RedisSseBroker(sp.GetRequiredService<IConnectionMultiplexer>(), prefix, sp.GetService<ILogger<RedisSseBroker>>()));
            services.TryAddSingleton<IResourceSubscriptions>(sp => new RedisResourceSubscriptions(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                prefix,
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpSessionOptions>>().Value.MaxAge));
            services.TryAddSingleton<IRequestStateNonces>(sp => new RedisRequestStateNonces(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<TimeProvider>(), prefix));
            services.TryAddSingleton(sp => new RedisBroadcast(sp.GetRequiredService<IConnectionMultiplexer>(), prefix, sp.GetService<ILogger<RedisBroadcast>>()));

            // Resource updates reach the listen streams of every instance, not only this one's.
            services.AddSingleton<DistributedResourceUpdates>();
            services.AddSingleton<IResourceUpdateListener>(sp => sp.GetRequiredService<DistributedResourceUpdates>());
            services.AddHostedService(sp => sp.GetRequiredService<DistributedResourceUpdates>());

            // Task changes wake waiters and reach listeners on every instance.
            services.AddSingleton<DistributedTaskEvents>();
            services.AddSingleton<McpCqrs.Application.Mcp.Tasks.IMcpTaskEvents>(sp => sp.GetRequiredService<DistributedTaskEvents>());
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
        services.TryAddSingleton<SessionSignals>();
        services.AddSingleton<McpHttpTransport>();
        services.AddSingleton<McpGauges>();
        services.AddSingleton<ListenStreams>();
        services.AddSingleton<McpCqrs.Application.Mcp.Tasks.TaskNotifications>();
        services.AddHostedService<TaskNotificationsService>();
        services.AddSingleton<McpCqrs.Application.Mcp.Tasks.IMcpTaskWatchers>(sp => sp.GetRequiredService<McpCqrs.Application.Mcp.Tasks.TaskNotifications>());
        services.AddSingleton<StreamNotifications>();
        services.AddSingleton<IMcpNotifier, McpNotifier>();
        services.AddHostedService<CatalogChangeNotifier>();
        return services;
    }

    /// <summary>Serves MCP (Streamable HTTP) at <paramref name="pattern"/>: POST, GET and DELETE.</summary>
    public static IEndpointConventionBuilder MapMcp(this IEndpointRouteBuilder routes, string pattern = "/mcp")
    {
        _ = routes.ServiceProvider.GetRequiredService<McpGauges>();
        McpCqrs.Application.Mcp.Catalog.PermissionGuard.EnsureGuarded(
            routes.ServiceProvider.GetRequiredService<McpCqrs.Application.Mcp.Catalog.McpCatalog>(),
            routes.ServiceProvider.GetRequiredService<McpCqrs.Application.Common.Security.PermissionEvaluator>(),
            routes.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment());
        var group = routes.MapGroup(pattern).ExcludeFromDescription();
        group.MapPost(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.PostAsync(http));
        group.MapGet(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.GetAsync(http));
        group.MapDelete(string.Empty, (HttpContext http, McpHttpTransport transport) => transport.DeleteAsync(http));
        return group;
    }
}
