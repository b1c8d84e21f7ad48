using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from the <c>Database</c> section; the connection string itself is <c>ConnectionStrings:Default</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// <c>Sqlite</c> or <c>Postgres</c>. When not set: <c>Postgres</c> if <c>ConnectionStrings:Default</c> names a
    /// PostgreSQL server (it has a <c>Host=</c>), else <c>Sqlite</c>.
    /// </summary>
    public DatabaseProvider? Provider { get; set; }

    /// <summary>
    /// The SQLite file used when no connection string is given, relative to the content root.
    /// </summary>
    [Required]
    public string SqlitePath { get; set; } = "App_Data/mcpcqrs.db";

    /// <summary>
    /// Apply pending migrations (and seed an empty database) at start-up. Defaults to true in Development and
    /// for the embedded SQLite database; production deployments run <c>migrate</c> instead.
    /// </summary>
    public bool? MigrateOnStartup { get; set; }

    /// <summary>Insert the sample customers and tickets into an empty database after migrating.</summary>
    public bool Seed { get; set; } = true;
}
