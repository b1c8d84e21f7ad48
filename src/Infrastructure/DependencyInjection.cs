using McpCqrs.Mcp;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpCqrs.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// Registers persistence (SQLite by default, PostgreSQL when configured), the database health check and the
    /// start-up migrator.
    /// </summary>
    public static IServiceCollection AddInfrastructure(
        this IServiceCollection services,
        IConfiguration configuration,
        IHostEnvironment environment)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = configuration.GetConnectionString("Default");
        var provider = ResolveProvider(options, connectionString);

        switch (provider)
        {
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new OptionsValidationException(
                        "ConnectionStrings:Default",
                        typeof(DatabaseOptions),
                        ["Database:Provider is 'Postgres' but ConnectionStrings:Default is empty: set it to a PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...)."]);
                }

                // Pooled: a context per request costs its internal service scope; a pooled one is reset and reused.
                services.AddDbContextPool<AppDbContext, PostgresAppDbContext>(o => o.UseNpgsql(connectionString));
                break;
            default:
                var sqlite = string.IsNullOrWhiteSpace(connectionString)
                    ? $"Data Source={EnsureDataFolder(Path.Combine(environment.ContentRootPath, options.SqlitePath))}"
                    : connectionString;
                services.AddDbContextPool<AppDbContext, SqliteAppDbContext>(o => o.UseSqlite(sqlite));
                break;
        }

        services.AddScoped<IAppDbContext>(sp => sp.GetRequiredService<AppDbContext>());
        services.AddScoped<DatabaseInitializer>();
        McpBuilder.For(services).UseEntityFrameworkCore<AppDbContext>();
        services.AddSingleton(new DatabaseStartup(
            options.MigrateOnStartup ?? (environment.IsDevelopment() || provider == DatabaseProvider.Sqlite),
            options.Seed));
        services.AddHostedService<DatabaseStartupService>();
        services.AddSingleton<DatabaseSchemaState>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    internal static DatabaseProvider ResolveProvider(DatabaseOptions options, string? connectionString) =>
        options.Provider
        ?? (connectionString?.Contains("Host=", StringComparison.OrdinalIgnoreCase) == true
            ? DatabaseProvider.Postgres
            : DatabaseProvider.Sqlite);

    private static string EnsureDataFolder(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return path;
    }
}
