using McpCqrs.Application;
using McpCqrs.Infrastructure;
using McpCqrs.Infrastructure.Persistence;

namespace McpCqrs.Web;

/// <summary>Builds the host. <c>Program</c> and the integration tests start the very same application.</summary>
public static class McpCqrsApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services
            .AddApplication()
            .AddInfrastructure(builder.Configuration, builder.Environment)
            .AddMcpWeb(builder.Configuration, builder.Environment);

        var app = builder.Build();

        // Built now, not on the first request: a bad binding stops the start with its message, and the shared
        // stores connect before traffic arrives (a first burst would otherwise wait on one connection).
        _ = app.Services.GetRequiredService<McpCqrs.Mcp.Catalog.McpCatalog>();
        _ = app.Services.GetRequiredService<McpCqrs.Mcp.RateLimiting.IRateLimitService>();
        _ = app.Services.GetRequiredService<McpCqrs.Mcp.Sessions.ISessionStore>();

        app.UseMcpWeb();
        return app;
    }

    /// <summary>
    /// <c>migrate</c>: applies pending migrations (and seeds an empty database when <c>Database:Seed</c>) and exits.
    /// This is how production databases are brought up to date.
    /// </summary>
    public static async Task<int> MigrateAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var seed = app.Configuration.GetValue(DatabaseOptions.SectionName + ":" + nameof(DatabaseOptions.Seed), true);
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(seed, CancellationToken.None);
        return 0;
    }
}
