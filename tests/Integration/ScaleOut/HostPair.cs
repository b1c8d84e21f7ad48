using System.Security.Cryptography;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Two hosts on one fresh PostgreSQL database and one Redis (a key prefix of their own, one request-state key), as
/// behind a plain load balancer; <c>settings</c> are added to both.
/// </summary>
internal sealed class HostPair(PostgresServer postgres, string database, TestHost a, TestHost b)
{
    public TestHost A => a;

    public TestHost B => b;

    public static async Task<HostPair> StartAsync(PostgresServer postgres, Action<IServiceCollection> services, IDictionary<string, string?>? settings = null)
    {
        var redis = Environment.GetEnvironmentVariable("MCPCQRS_TEST_REDIS");
        Assert.False(
            string.IsNullOrWhiteSpace(redis),
            "No Redis for the integration tests: export MCPCQRS_TEST_REDIS=127.0.0.1:6379 with a Redis server running (bash .ci/run starts one).");
        var database = await postgres.CreateDatabaseAsync();
        var shared = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Mcp:Redis"] = redis,
            ["Mcp:RedisKeyPrefix"] = $"mcpcqrs:test:{Guid.NewGuid():N}",
            ["Mcp:RequestStateKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        var first = await TestHost.StartOnPostgresAsync(database, seed: true, more: shared, services: services);
        var second = await TestHost.StartOnPostgresAsync(database, seed: true, more: shared, services: services);
        return new HostPair(postgres, database, first, second);
    }

    public async Task DisposeAsync()
    {
        await a.DisposeAsync();
        await b.DisposeAsync();
        await postgres.DropDatabaseAsync(database);
    }
}
