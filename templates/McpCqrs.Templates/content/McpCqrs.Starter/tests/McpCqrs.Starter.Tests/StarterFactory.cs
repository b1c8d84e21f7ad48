using McpCqrs.Starter.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Starter.Tests;

/// <summary>
/// The web application in memory, in Development with Auth:Backend=AllowAny (whatever appsettings.json says), on a
/// database of its own that is deleted afterwards.
/// </summary>
public sealed class StarterFactory : WebApplicationFactory<Program>
{
#if (UsePostgres)
    /// <summary>
    /// A PostgreSQL server for the tests (e.g. <c>Host=127.0.0.1;Username=postgres;Password=postgres</c>): each test
    /// class creates a database of its own there. Unset, the tests that need it fail and say so.
    /// </summary>
    public const string PostgresVariable = "MCPCQRS_TEST_POSTGRES";

    public string ConnectionString { get; } =
        (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"These tests need PostgreSQL: set {PostgresVariable} to a connection string without a database name, e.g. "
                + "Host=127.0.0.1;Username=postgres;Password=postgres (docker compose up db starts one)."))
        + $";Database=starter_test_{Guid.NewGuid():N}";
#else
    public string DatabaseFile { get; } = Path.Combine(Path.GetTempPath(), $"starter-test-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={DatabaseFile};Pooling=False";
#endif

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Auth:Backend", "AllowAny");
        builder.UseSetting("ConnectionStrings:Default", ConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await using var scope = Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.EnsureDeletedAsync();
        }

        await base.DisposeAsync();
    }
}
