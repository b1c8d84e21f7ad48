using McpCqrs.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Unit;

/// <summary>
/// A private SQLite in-memory database with the real migrations applied: handlers run against a real SQL
/// engine (so untranslatable queries fail here too), with no server and no file.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly SqliteConnection _connection;

    private TestDatabase(SqliteConnection connection, DbContextOptions<SqliteAppDbContext> options)
    {
        _connection = connection;
        Options = options;
    }

    public DbContextOptions<SqliteAppDbContext> Options { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(connection).Options;
        await using (var db = new SqliteAppDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        return new TestDatabase(connection, options);
    }

    /// <summary>A fresh context (a new unit of work) over the same database.</summary>
    public SqliteAppDbContext NewContext() => new(Options);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
