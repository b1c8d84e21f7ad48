using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using McpCqrs.Mcp.Sessions;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using StackExchange.Redis;
using McpSession = McpCqrs.Mcp.Sessions.McpSession;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// Sessions in Redis, so any instance can serve any session (no sticky sessions). Each session is one key whose
/// Redis expiry is the idle timeout (capped by what is left of the maximum age), renewed on every use; a sorted
/// set of expiry times keeps <see cref="CountAsync"/> cheap. The session's JSON uses the MCP SDK's contract for
/// client info and capabilities.
/// </summary>
internal sealed class RedisSessionStore(IConnectionMultiplexer redis, IOptions<McpSessionOptions> options, TimeProvider clock, string keyPrefix = "mcpcqrs") : ISessionStore
{
    private static readonly JsonSerializerOptions Json = new(McpJsonUtilities.DefaultOptions)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(McpJsonUtilities.DefaultOptions.TypeInfoResolver, new DefaultJsonTypeInfoResolver()),
    };

    // KEYS: session, owner's sessions, index. ARGV: json, ttl ms, id, index score, session key prefix, max, owner ttl ms, now ms.
    // The owner's sorted set holds its session ids; those whose key is gone (expired or deleted) are dropped before counting.
    private const string CreateOwnedScript = """
        for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
          if redis.call('EXISTS', ARGV[5] .. id) == 0 then
            redis.call('ZREM', KEYS[2], id)
          end
        end
        if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then
          return 0
        end
        if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
          return -1
        end
        redis.call('ZADD', KEYS[2], ARGV[8], ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[7])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
        return 1
        """;

    private readonly string _index = $"{keyPrefix}:sessions";

    private IDatabase Database => redis.GetDatabase();

    public async Task CreateAsync(McpSession session, CancellationToken cancellationToken)
    {
        if (!await Guarded(() => SaveAsync(session, When.NotExists)))
        {
            throw new InvalidOperationException("A session with this id exists already.");
        }
    }

    /// <summary>
    /// Counts and creates in one script, so two instances cannot both admit the last session of an owner. The owner's
    /// set expires after the maximum age of a session (no session it counts can live longer).
    /// </summary>
    public Task<bool> TryCreateAsync(McpSession session, string owner, int maxPerOwner, CancellationToken cancellationToken) => Guarded(async () =>
    {
        var now = clock.GetUtcNow();
        var ttl = TimeToLive(session, now);
        if (ttl <= TimeSpan.Zero)
        {
            return true;
        }

        var created = (int)await Database.ScriptEvaluateAsync(
            CreateOwnedScript,
            [Key(session.Id), $"{keyPrefix}:owner-sessions:{owner}", _index],
            [
                JsonSerializer.Serialize(session, Json),
                (long)ttl.TotalMilliseconds,
                session.Id,
                (now + ttl).ToUnixTimeMilliseconds(),
                Key(string.Empty),
                maxPerOwner,
                Math.Max(1, (long)options.Value.MaxAge.TotalMilliseconds),
                now.ToUnixTimeMilliseconds(),
            ]);
        return created switch
        {
            -1 => throw new InvalidOperationException("A session with this id exists already."),
            _ => created == 1,
        };
    });

    public Task<McpSession?> GetAsync(string id, CancellationToken cancellationToken) => Guarded(() => GetCoreAsync(id, cancellationToken));

    private async Task<McpSession?> GetCoreAsync(string id, CancellationToken cancellationToken)
    {
        var database = Database;
        var json = await database.StringGetAsync(Key(id));
        if (json.IsNullOrEmpty)
        {
            return null;
        }

        var session = JsonSerializer.Deserialize<McpSession>(json.ToString(), Json);
        var now = clock.GetUtcNow();
        if (session is null || now - session.CreatedAt > options.Value.MaxAge)
        {
            await DeleteAsync(id, cancellationToken);
            return null;
        }

        // A use renews the key's expiry (the idle timeout lives in Redis) without rewriting the record, so it
        // cannot overwrite a change another instance made meanwhile.
        var ttl = TimeToLive(session, now);
        if (ttl <= TimeSpan.Zero || !await database.KeyExpireAsync(Key(id), ttl))
        {
            return null;
        }

        await database.SortedSetAddAsync(_index, id, (now + ttl).ToUnixTimeMilliseconds());

        // The session's resource subscriptions live as long as it does.
        _ = database.KeyExpireAsync(RedisResourceSubscriptions.SessionKeyOf(keyPrefix, id), ttl, CommandFlags.FireAndForget);
        return session with { LastSeenAt = now };
    }

    public Task<bool> ExistsAsync(string id, CancellationToken cancellationToken) =>
        Guarded(() => Database.KeyExistsAsync(Key(id)));

    public Task<bool> UpdateAsync(McpSession session, CancellationToken cancellationToken) =>
        Guarded(async () => !IsExpired(session, clock.GetUtcNow()) && await SaveAsync(session with { LastSeenAt = clock.GetUtcNow() }, When.Exists));

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Guarded(async () =>
    {
        var database = Database;
        var deleted = await database.KeyDeleteAsync(Key(id));
        await database.SortedSetRemoveAsync(_index, id);
        return deleted;
    });

    public Task<long> CountAsync(CancellationToken cancellationToken) => Guarded(async () =>
    {
        var database = Database;
        await database.SortedSetRemoveRangeByScoreAsync(_index, double.NegativeInfinity, clock.GetUtcNow().ToUnixTimeMilliseconds());
        return await database.SortedSetLengthAsync(_index);
    });

    /// <summary>Redis down or slow: a clear, typed failure the transport answers with 503 — never a silent miss.</summary>
    private static Task<T> Guarded<T>(Func<Task<T>> operation) => RedisGuard.Run(operation);

    private async Task<bool> SaveAsync(McpSession session, When when)
    {
        var now = clock.GetUtcNow();
        var ttl = TimeToLive(session, now);
        if (ttl <= TimeSpan.Zero)
        {
            return false;
        }

        var database = Database;
        var saved = await database.StringSetAsync(Key(session.Id), JsonSerializer.Serialize(session, Json), ttl, when);
        if (saved)
        {
            await database.SortedSetAddAsync(_index, session.Id, (now + ttl).ToUnixTimeMilliseconds());
        }

        return saved;
    }

    /// <summary>The idle timeout, capped by what is left of the maximum age.</summary>
    private TimeSpan TimeToLive(McpSession session, DateTimeOffset now)
    {
        var left = options.Value.MaxAge - (now - session.CreatedAt);
        return left < options.Value.IdleTimeout ? left : options.Value.IdleTimeout;
    }

    private bool IsExpired(McpSession session, DateTimeOffset now) =>
        now - session.LastSeenAt > options.Value.IdleTimeout || now - session.CreatedAt > options.Value.MaxAge;

    private string Key(string id) => KeyOf(keyPrefix, id);

    /// <summary>The key of one session.</summary>
    internal static string KeyOf(string keyPrefix, string id) => $"{keyPrefix}:session:{id}";
}
