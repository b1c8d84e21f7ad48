using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Mcp.Output;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Infrastructure.Toon;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddScoped<McpCqrs.Application.Mcp.Tasks.IMcpTaskStore, Mcp.Tasks.EfMcpTaskStore>();
        services.AddOptions<McpCqrs.Application.Mcp.Tasks.McpTaskOptions>().Bind(configuration.GetSection(McpCqrs.Application.Mcp.Tasks.McpTaskOptions.SectionName));
        services.AddHostedService<Mcp.Tasks.McpTaskSweeper>();
        services.TryAddSingleton<McpCqrs.Application.Mcp.Tasks.IMcpTaskEvents, Mcp.Tasks.LocalMcpTaskEvents>();
        services.AddSingleton<Mcp.Tasks.McpTaskWorker>();
        services.AddSingleton<McpCqrs.Application.Mcp.Tasks.IMcpTaskQueue>(sp => sp.GetRequiredService<Mcp.Tasks.McpTaskWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<Mcp.Tasks.McpTaskWorker>());
        services.AddScoped<Mcp.Tasks.McpTaskExecutor>();
        services.AddSingleton(new DatabaseStartup(
            options.MigrateOnStartup ?? (environment.IsDevelopment() || provider == DatabaseProvider.Sqlite),
            options.Seed));
        services.AddHostedService<DatabaseStartupService>();
        services.AddSingleton<DatabaseSchemaState>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddOutputFormats();
        return services;
    }

    /// <summary>
    /// Tool result text formats: <see cref="ToonOutputFormatter"/> as the <see cref="IOutputFormatter"/>, and the
    /// <see cref="OutputOptions"/> it reads. The host binds those from <see cref="OutputOptions.SectionName"/>
    /// (<c>Configure</c>/<c>AddOptions().Bind</c>, or a singleton instance of its own registered first); without a
    /// binding they are the defaults (JSON). They are validated at start-up.
    /// </summary>
    internal static IServiceCollection AddOutputFormats(this IServiceCollection services)
    {
        services.AddOptions<OutputOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutputOptions>, OutputOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OutputOptions>>().Value);
        services.TryAddSingleton<IOutputFormatter, ToonOutputFormatter>();
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
