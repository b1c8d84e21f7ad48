using McpCqrs.Starter.Application.Common;
using McpCqrs.Starter.Infrastructure.Persistence;
#if (UseSqlite)
using Microsoft.Data.Sqlite;
#endif
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpCqrs.Starter.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The database (<c>ConnectionStrings:Default</c>) and the application's unit of work.</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("ConnectionStrings:Default is empty: set it in appsettings.json or the environment (ConnectionStrings__Default).");
        }

#if (UsePostgres)
        services.AddDbContext<AppDbContext>(o => o.UseNpgsql(connectionString));
#else
        var sqlite = SqliteIn(environment.ContentRootPath, connectionString);
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(sqlite));
#endif
        services.AddScoped<IAppDbContext>(sp => sp.GetRequiredService<AppDbContext>());
        return services;
    }

    /// <summary>
    /// Creates the database and its tables when they do not exist. Kept simple on purpose: once the model starts to
    /// change, switch to EF Core migrations (<c>dotnet ef migrations add Initial</c>) and call <c>MigrateAsync</c> here.
    /// </summary>
    public static async Task EnsureDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
    }
#if (UseSqlite)

    /// <summary>A relative SQLite file is placed under the content root (whatever folder the app was started from), its folder created.</summary>
    private static string SqliteIn(string contentRoot, string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file) && builder.Mode != SqliteOpenMode.Memory)
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, file));
        }

        if (builder.Mode != SqliteOpenMode.Memory && Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return builder.ToString();
    }
#endif
}
