using McpCqrs.Infrastructure;
using McpCqrs.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Unit.Persistence;

public sealed class MigrationTests
{
    [Fact]
    public async Task Sqlite_migrations_match_the_model()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.NewContext();

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: run dotnet ef migrations add <Name> --context SqliteAppDbContext.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public void Postgres_migrations_match_the_model()
    {
        using var db = new PostgresAppDbContext(
            new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=unused").Options);

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a PostgreSQL migration: run dotnet ef migrations add <Name> --context PostgresAppDbContext.");
    }

    [Theory]
    [InlineData(null, null, DatabaseProvider.Sqlite)]
    [InlineData(null, "Data Source=x.db", DatabaseProvider.Sqlite)]
    [InlineData(null, "Host=db;Database=x", DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite, "Host=db;Database=x", DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres, null, DatabaseProvider.Postgres)]
    public void The_provider_is_the_configured_one_else_inferred_from_the_connection_string(
        DatabaseProvider? configured, string? connectionString, DatabaseProvider expected) =>
        Assert.Equal(expected, DependencyInjection.ResolveProvider(new DatabaseOptions { Provider = configured }, connectionString));
}
