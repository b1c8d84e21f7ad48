using McpCqrs.Mcp.Sessions;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// Redis down, slow or refusing a command: a clear, typed failure (<see cref="SessionStoreUnavailableException"/>)
/// that the transport answers with 503 — never a silent miss. Catches <see cref="RedisTimeoutException"/> too, which
/// is a <see cref="TimeoutException"/>, not a <see cref="RedisException"/>.
/// </summary>
internal static class RedisGuard
{
    public static async Task<T> Run<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw new SessionStoreUnavailableException(ex);
        }
    }

    public static async Task Run(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw new SessionStoreUnavailableException(ex);
        }
    }

    public static bool IsRedisFailure(Exception ex) => ex is RedisException or RedisTimeoutException;
}
