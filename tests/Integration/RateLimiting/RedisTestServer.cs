using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.RateLimiting;

/// <summary>
/// The Redis server the rate-limit tests use: the one named by <see cref="EnvironmentVariable"/> (what
/// <c>.ci/run</c> starts). Without it every test that needs it fails, saying how to provide one.
/// </summary>
internal static class RedisTestServer
{
    public const string EnvironmentVariable = "MCPCQRS_TEST_REDIS";

    /// <summary>The connection string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"No Redis for the rate-limit tests: {EnvironmentVariable} is not set. Start one " +
                "(redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no) and export " +
                $"{EnvironmentVariable}=127.0.0.1:6379 (bash .ci/run does both).");

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => $"mcpcqrs-test:{Guid.NewGuid():N}";

    /// <summary>Removes every key made under <paramref name="prefix"/>.</summary>
    public static async Task DeleteKeysAsync(string prefix)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        var database = connection.GetDatabase();
        foreach (var endpoint in connection.GetEndPoints())
        {
            await foreach (var key in connection.GetServer(endpoint).KeysAsync(pattern: $"*{prefix}:*"))
            {
                await database.KeyDeleteAsync(key);
            }
        }
    }
}
