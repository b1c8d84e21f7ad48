using System.Collections.Concurrent;
using System.Data.Common;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpCqrs.Tests.Integration.Persistence;

/// <summary>Records the text of every command EF Core sends, so a test can count and read them.</summary>
public sealed class CommandLog : DbCommandInterceptor
{
    public ConcurrentQueue<string> Commands { get; } = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }
}

/// <summary>
/// What the task store asks of the database, on PostgreSQL and SQLite alike: <c>tasks/list</c> is paged by the
/// database without the result columns, and the ownership of many task ids (a listen) is one query.
/// </summary>
public abstract class McpTaskStoreQueryTests : IAsyncLifetime
{
    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>A new unit of work on the test database, its commands recorded in <paramref name="log"/>.</summary>
    protected abstract AppDbContext Context(CommandLog log);

    private async Task<T> WithStore<T>(Func<IMcpTaskStore, Task<T>> use, CommandLog? log = null)
    {
        await using var db = Context(log ?? new CommandLog());
        return await use(new EfMcpTaskStore(db, TimeProvider.System));
    }

    private Task<McpTaskRecord> CreateAsync(string owner) =>
        WithStore(s => s.CreateAsync(new McpTaskDraft(owner, "export_tickets", """{"filter":"status=Open"}""", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));

    [Fact]
    public async Task Tasks_are_listed_a_page_at_a_time_by_the_database_without_their_results()
    {
        var owner = $"lister-{Guid.NewGuid():N}";
        var created = new List<McpTaskRecord>();
        for (var i = 0; i < 5; i++)
        {
            var task = await CreateAsync(owner);
            await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, """{"content":[]}""", null, default));
            created.Add(task);
        }

        var log = new CommandLog();
        var page = await WithStore(s => s.ListAsync(owner, 2, 2, default), log);

        var expected = created.OrderBy(t => t.CreatedAt).ThenBy(t => t.TaskId, StringComparer.Ordinal).Skip(2).Take(2).Select(t => t.TaskId);
        Assert.Equal(expected, page.Select(t => t.TaskId));
        Assert.All(page, t => Assert.Equal(McpTaskStatus.Completed, t.Status));
        Assert.All(page, t => Assert.Null(t.ResultJson));
        var sql = Assert.Single(log.Commands);
        Assert.Contains("LIMIT", sql, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ResultJson", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("ErrorJson", sql, StringComparison.Ordinal);
        Assert.DoesNotContain(".\"ArgumentsJson\"", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ownership_of_many_task_ids_is_read_in_one_query()
    {
        var owner = $"listener-{Guid.NewGuid():N}";
        var mine = (await CreateAsync(owner)).TaskId;
        var theirs = (await CreateAsync("someone-else")).TaskId;
        var ids = Enumerable.Range(0, 500).Select(i => $"unknown-{i}").Append(mine).Append(theirs).ToList();

        var log = new CommandLog();
        var owned = await WithStore(s => s.OwnedAsync(ids, owner, default), log);

        Assert.Equal([mine], owned);
        Assert.Single(log.Commands);
    }
}

/// <summary>The store's queries on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTaskStoreQueryTests(PostgresServer postgres) : McpTaskStoreQueryTests
{
    private string _database = null!;

    public override async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        await using var db = new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(_database).Options);
        await db.Database.MigrateAsync();
    }

    public override Task DisposeAsync() => postgres.DropDatabaseAsync(_database);

    protected override AppDbContext Context(CommandLog log) =>
        new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(_database).AddInterceptors(log).Options);
}

/// <summary>The store's queries on SQLite (in memory, the real migrations).</summary>
public sealed class SqliteTaskStoreQueryTests : McpTaskStoreQueryTests
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public override async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        await using var db = new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(_connection).Options);
        await db.Database.MigrateAsync();
    }

    public override async Task DisposeAsync() => await _connection.DisposeAsync();

    protected override AppDbContext Context(CommandLog log) =>
        new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(_connection).AddInterceptors(log).Options);
}
