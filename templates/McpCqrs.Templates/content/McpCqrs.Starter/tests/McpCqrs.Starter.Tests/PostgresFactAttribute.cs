namespace McpCqrs.Starter.Tests;

/// <summary>A test that needs the PostgreSQL server named by MCPCQRS_TEST_POSTGRES: skipped when it is unset.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StarterFactory.PostgresVariable)))
        {
            Skip = $"{StarterFactory.PostgresVariable} is not set (a PostgreSQL connection string without a database name).";
        }
    }
}
