using McpCqrs.Application.Mcp.Resources;
using StackExchange.Redis;

namespace McpCqrs.Infrastructure.Mcp;

/// <summary>
/// Resource subscriptions in Redis, shared by every instance: <c>{prefix}:resource:{uri}</c> is the set of sessions
/// subscribed to a URI, <c>{prefix}:resource-session:{session}</c> the set of URIs a session subscribed to (so
/// <see cref="RemoveSessionAsync"/> finds them). Both sides change together in one Lua script; Redis deletes a set
/// once it is empty, so an unsubscribed URI leaves no key. Redis failures surface as
/// <see cref="McpCqrs.Application.Mcp.Sessions.SessionStoreUnavailableException"/>.
/// </summary>
/// <remarks>The scripts touch keys of several URIs, so they need a single Redis (or a primary with replicas), not a cluster.</remarks>
public sealed class RedisResourceSubscriptions(IConnectionMultiplexer redis, string keyPrefix = "mcpcqrs") : IResourceSubscriptions
{
    // KEYS: uri's sessions, session's uris. ARGV: session, uri.
    private const string SubscribeScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[2])
        """;

    // KEYS: uri's sessions, session's uris. ARGV: session, uri.
    private const string UnsubscribeScript = """
        redis.call('SREM', KEYS[1], ARGV[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        """;

    // KEYS: session's uris. ARGV: session, prefix of the uri keys.
    private const string RemoveSessionScript = """
        for _, uri in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          redis.call('SREM', ARGV[2] .. uri, ARGV[1])
        end
        redis.call('DEL', KEYS[1])
        """;

    private IDatabase Database => redis.GetDatabase();

    private string UriKeyPrefix => $"{keyPrefix}:resource:";

    public Task SubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisGuard.Run(() => Database.ScriptEvaluateAsync(SubscribeScript, [UriKey(uri), SessionKey(sessionId)], [sessionId, uri]));
    }

    public Task UnsubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisGuard.Run(() => Database.ScriptEvaluateAsync(UnsubscribeScript, [UriKey(uri), SessionKey(sessionId)], [sessionId, uri]));
    }

    public Task<IReadOnlyCollection<string>> SubscribersAsync(string uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisGuard.Run<IReadOnlyCollection<string>>(async () =>
            [.. (await Database.SetMembersAsync(UriKey(uri))).Select(member => (string)member!)]);
    }

    public Task RemoveSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisGuard.Run(() => Database.ScriptEvaluateAsync(RemoveSessionScript, [SessionKey(sessionId)], [sessionId, UriKeyPrefix]));
    }

    private RedisKey UriKey(string uri) => UriKeyPrefix + uri;

    private RedisKey SessionKey(string sessionId) => $"{keyPrefix}:resource-session:{sessionId}";
}
