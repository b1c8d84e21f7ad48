using McpCqrs.Application.Common.Behaviors;
using McpCqrs.Application.Common.Querying;
using McpCqrs.Infrastructure.RateLimiting;
using McpCqrs.Application.Common.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Web.Apps;
using McpCqrs.Web.Auth;
using McpCqrs.Web.Endpoints;
using McpCqrs.Web.Infrastructure;
using McpCqrs.Web.Mcp;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace McpCqrs.Web;

public static class DependencyInjection
{
    /// <summary>The web layer: mediator, JSON conventions, ProblemDetails, OpenAPI, the current user.</summary>
    public static IServiceCollection AddMcpWeb(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<ApiOptions>()
            .Bind(configuration.GetSection(ApiOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<ApiOptions>>((kestrel, api) => kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);

        services.AddOptions<QueryingOptions>().Bind(configuration.GetSection(QueryingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton(sp => sp.GetRequiredService<IOptions<QueryingOptions>>().Value));
        services.AddRateLimitingCore(
            configuration,
            configuration["Mcp:Redis"],
            limits =>
            {
                foreach (var (binding, policies) in RequestBindings.DeclaredIn(typeof(McpCqrs.Application.DependencyInjection).Assembly))
                {
                    limits.ForBinding(binding, [.. policies]);
                }
            });
        services.AddMcpTelemetry(configuration);
        services.AddMcpCqrsMediator();
        services.AddMcpTransport(configuration);
        services.AddTicketBoardApp();
        services.AddKnownProxies(configuration);
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentUser, HttpCurrentUser>();
        services.AddMcpAuth(configuration, environment);

        services.Configure<JsonOptions>(o => AppJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddOpenApi();
        return services;
    }

    /// <summary>Middleware and endpoints, in order.</summary>
    public static WebApplication UseMcpWeb(this WebApplication app)
    {
        // Only from the proxies in ForwardedHeaders: the client address then comes from X-Forwarded-For.
        app.UseKnownProxies();

        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Before authentication, where OpenIddict answers token requests.
        app.UseTokenRequestLimits();

        app.UseMcpAuth();
        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapTicketsApi();
        app.MapCustomersApi();
        app.MapTasksApi();
        app.MapMcp("/mcp");
        return app;
    }
}
