using Npgsql;
using Testcontainers.PostgreSql;

namespace McpCqrs.Tests.Integration.Support;

/// <summary>
/// The PostgreSQL server the integration tests use. With a Docker engine answering, a throw-away container
/// (Testcontainers); otherwise the server named by <see cref="EnvironmentVariable"/> (what <c>.ci/run</c>
/// starts). With neither, every test that needs it fails with a message that says how to provide one.
/// Each test class gets its own empty database on that server.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>An administrator connection string (no database), e.g. <c>Host=127.0.0.1;Username=postgres;Password=postgres</c>.</summary>
    public const string EnvironmentVariable = "MCPCQRS_TEST_POSTGRES";

    private PostgreSqlContainer? _container;
    private string? _adminConnectionString;
    private string? _unavailable;

    public async Task InitializeAsync()
    {
        if (DockerEngineLooksAvailable())
        {
            try
            {
                _container = new PostgreSqlBuilder("postgres:16-alpine").Build();
                await _container.StartAsync();
                _adminConnectionString = _container.GetConnectionString();
                return;
            }
            catch (Exception ex) when (Environment.GetEnvironmentVariable(EnvironmentVariable) is not null)
            {
                // A Docker socket that does not run containers: fall through to the configured server.
                _ = ex;
            }
        }

        _adminConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(_adminConnectionString))
        {
            _unavailable =
                $"No PostgreSQL for the integration tests: no Docker engine answers (for Testcontainers) and {EnvironmentVariable} is not set. " +
                $"Either start Docker, or run a PostgreSQL server and export {EnvironmentVariable}=\"Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres\" " +
                "(bash .ci/run does this on Debian).";
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (_unavailable is not null)
        {
            throw new InvalidOperationException(_unavailable);
        }

        var name = $"mcpcqrs_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static bool DockerEngineLooksAvailable() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
