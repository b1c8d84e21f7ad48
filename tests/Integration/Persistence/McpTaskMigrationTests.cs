using McpCqrs.Mcp;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Integration.Persistence;

/// <summary>
/// The task migrations on data, on PostgreSQL and SQLite alike: tasks stored before a migration read the same after
/// it.
/// </summary>
public abstract class McpTaskMigrationTests : IAsyncLifetime
{
    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>A new unit of work on an empty database of the test's own.</summary>
    protected abstract AppDbContext Context();

    private async Task InsertAsync(AppDbContext db, string taskId, McpTaskStatus status, string? resultJson)
    {
        var at = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
        var name = status.ToString();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "McpTasks" ("TaskId", "Owner", "Tool", "ArgumentsJson", "Status", "CreatedAt", "LastUpdatedAt", "PollIntervalMs", "ResultJson", "CancelRequested", "Revision")
            VALUES ({taskId}, {"alice"}, {"failing_job"}, {"{}"}, {name}, {at}, {at}, {1000}, {resultJson}, {false}, {1L})
            """);
    }

    [Fact]
    public async Task Tasks_that_completed_before_ResultIsError_existed_are_flagged_by_their_stored_result()
    {
        await using (var db = Context())
        {
            await db.Database.MigrateAsync("McpTaskInputRequests");
            await InsertAsync(db, "error", McpTaskStatus.Completed, """{"content":[{"type":"text","text":"no"}],"isError":true}""");
            await InsertAsync(db, "not-an-error", McpTaskStatus.Completed, """{"content":[],"isError":false}""");
            await InsertAsync(db, "plain", McpTaskStatus.Completed, """{"content":[]}""");
            await InsertAsync(db, "failed", McpTaskStatus.Failed, null);
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        await using var reader = Context();
        var listed = (await new EfMcpTaskStore(reader, TimeProvider.System).ListAsync("alice", 0, 10, default)).ToDictionary(t => t.TaskId, t => t.ResultIsError);

        Assert.Equal(new Dictionary<string, bool> { ["error"] = true, ["not-an-error"] = false, ["plain"] = false, ["failed"] = false }, listed);
        Assert.Equal("failed", McpTaskWire.Task((await new EfMcpTaskStore(reader, TimeProvider.System).FindAsync("error", "alice", default))!, McpEra.Session)["status"]!.GetValue<string>());
    }
}

/// <summary>The task migrations on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTaskMigrationTests(PostgresServer postgres) : McpTaskMigrationTests
{
    private string _database = null!;

    public override async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    public override Task DisposeAsync() => postgres.DropDatabaseAsync(_database);

    protected override AppDbContext Context() =>
        new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(_database).Options);
}

/// <summary>The task migrations on SQLite (in memory).</summary>
public sealed class SqliteTaskMigrationTests : McpTaskMigrationTests
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public override Task InitializeAsync() => _connection.OpenAsync();

    public override async Task DisposeAsync() => await _connection.DisposeAsync();

    protected override AppDbContext Context() =>
        new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(_connection).Options);
}
