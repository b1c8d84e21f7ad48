using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Web;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Integration.Persistence;

[Collection(PostgresCollection.Name)]
public sealed class DatabaseTests(PostgresServer postgres)
{
    [Fact]
    public async Task Migrations_apply_cleanly_to_an_empty_PostgreSQL_database_and_seed_the_sample_desk()
    {
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var host = await TestHost.StartOnPostgresAsync(database, seed: true);

            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                Assert.IsType<PostgresAppDbContext>(db);
                Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            var tickets = await host.Client.GetFromJsonAsync<JsonElement>("/api/tickets");
            Assert.Equal(6, tickets.GetProperty("totalItems").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task The_migrate_command_brings_a_production_database_up_to_date_and_a_restart_changes_nothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = database,
                ["Database:MigrateOnStartup"] = "false",
            };
            await using (var host = await TestHost.StartAsync(settings))
            {
                // Not migrated on start in Production: the schema is missing and readiness says so.
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);
            }

            var app = McpCqrsApp.Build(["--environment=Production"], b => b.Configuration.AddInMemoryCollection(settings));
            Assert.Equal(0, await McpCqrsApp.MigrateAsync(app));
            Assert.Equal(0, await McpCqrsApp.MigrateAsync(app));
            await app.DisposeAsync();

            await using var migrated = await TestHost.StartAsync(settings);
            Assert.Equal(HttpStatusCode.OK, (await migrated.Client.GetAsync("/health/ready")).StatusCode);
            var tickets = await migrated.Client.GetFromJsonAsync<JsonElement>("/api/tickets");
            Assert.Equal(6, tickets.GetProperty("totalItems").GetInt32());
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Readiness_fails_and_liveness_holds_when_the_database_is_unreachable()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Timeout=2",
            ["Database:MigrateOnStartup"] = "false",
        });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
    }
}

/// <summary>The embedded default: no database server, a SQLite file created on start.</summary>
public sealed class SqliteDefaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpcqrs-").FullName;

    [Fact]
    public async Task With_no_connection_string_the_host_creates_a_SQLite_file_migrates_seeds_and_is_ready()
    {
        var path = Path.Combine(_folder, "data", "desk.db");
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = "",
            ["Database:SqlitePath"] = path,
        });

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.True(File.Exists(path));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.IsType<SqliteAppDbContext>(scope.ServiceProvider.GetRequiredService<AppDbContext>());
        }

        var tickets = await host.Client.GetFromJsonAsync<JsonElement>("/api/tickets?status=Open");
        Assert.True(tickets.GetProperty("totalItems").GetInt32() > 0);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
