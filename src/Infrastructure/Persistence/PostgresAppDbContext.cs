using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace McpCqrs.Infrastructure.Persistence;

/// <summary>The production database.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    protected override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
