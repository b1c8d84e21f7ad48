using McpCqrs.Mcp.Resources;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// Resource subscriptions in Redis, shared by every instance: <c>{prefix}:resource:{uri}</c> is the set of sessions
/// subscribed to a URI, <c>{prefix}:resource-session:{session}</c> the set of URIs a session subscribed to (so
/// <see cref="RemoveSessionAsync"/> finds them and counts them against the session's limit). Both sides change together
/// in one Lua script; Redis deletes a set once it is empty, so an unsubscribed URI leaves no key. The session's set
/// expires with the session (its remaining life at subscribe time, renewed by <see cref="RedisSessionStore"/> whenever
/// the session is used); a URI's set expires <paramref name="sessionMaxAge"/> after its last subscription (no subscribed
/// session can live longer), and a member whose session ended is dropped when an update to the URI finds it gone.
/// Redis failures surface as
/// <see cref="McpCqrs.Mcp.Sessions.SessionStoreUnavailableException"/>.
/// </summary>
/// <remarks>The scripts touch keys of several URIs, so they need a single Redis (or a primary with replicas), not a cluster.</remarks>
internal sealed class RedisResourceSubscriptions(IConnectionMultiplexer redis, string keyPrefix = "mcpcqrs", TimeSpan? sessionMaxAge = null) : IResourceSubscriptions
{
    // KEYS: uri's sessions, session's uris, session. ARGV: session, uri, max, session max age ms.
    private const string SubscribeScript = """
        if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then
          return 0
        end
        local life = redis.call('PTTL', KEYS[3])
        if life <= 0 then
          life = tonumber(ARGV[4])
        end
        redis.call('SADD', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], life)
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
        end
        return 1
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

    public Task<bool> SubscribeAsync(string sessionId, string uri, int maxPerSession, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var maxAge = Math.Max(1, (long)(sessionMaxAge ?? new McpCqrs.Mcp.Sessions.McpSessionOptions().MaxAge).TotalMilliseconds);
        return RedisGuard.Run(async () => (int)await Database.ScriptEvaluateAsync(
            SubscribeScript,
            [UriKey(uri), SessionKey(sessionId), RedisSessionStore.KeyOf(keyPrefix, sessionId)],
            [sessionId, uri, maxPerSession, maxAge]) == 1);
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

    private RedisKey SessionKey(string sessionId) => SessionKeyOf(keyPrefix, sessionId);

    /// <summary>The set of URIs a session subscribed to (the session store renews its expiry with the session's).</summary>
    internal static string SessionKeyOf(string keyPrefix, string sessionId) => $"{keyPrefix}:resource-session:{sessionId}";
}
