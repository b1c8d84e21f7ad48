using McpCqrs.Mcp.Redis;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Web.Apps;
using McpCqrs.Web.Endpoints;
using McpCqrs.Mcp.AspNetCore;
using McpCqrs.Web.Infrastructure;
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

        services.AddMcpServer(configuration, environment, mcp =>
        {
            if (configuration["Mcp:Redis"] is { Length: > 0 } redis)
            {
                mcp.UseRedis(redis, configuration["Mcp:RedisKeyPrefix"] ?? "mcpcqrs");
            }
        });
        services.AddMcpTelemetry(configuration);
        services.AddMcpCqrsMediator();
        services.AddTicketBoardApp();

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
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMcpServer();
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
