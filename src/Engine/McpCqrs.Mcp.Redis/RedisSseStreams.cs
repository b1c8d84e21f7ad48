using McpCqrs.Mcp.InMemory;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// The replay buffer in Redis, so a client resumes with <c>Last-Event-ID</c> on whichever instance it reaches. Same
/// contract as <see cref="InMemorySseReplayBuffer"/>: ids <c>{stream}_{n}</c> counted per (session, stream), at most
/// <see cref="SseReplayOptions.MaxEventsPerSession"/> events per session (all its streams together, oldest first),
/// events older than <see cref="SseReplayOptions.TimeToLive"/> (by <paramref name="clock"/>) dropped.
/// </summary>
/// <remarks>
/// <para>Keys of a session (the session id in braces is a Redis Cluster hash tag, so they share a slot):</para>
/// <list type="bullet">
/// <item><c>{prefix}:sse:{session}:{stream}</c> — a Redis Stream, one entry per event: entry id <c>{n}-0</c>, field <c>d</c> = data.</item>
/// <item><c>{prefix}:sse-seq:{session}</c> — a hash: stream → last sequence issued (HINCRBY), kept after the events go.</item>
/// <item><c>{prefix}:sse-order:{session}</c> — a list of <c>{unix ms}|{n}|{stream}</c>, oldest first: the session's events
/// in append order, which the count and age limits trim from the head (XDEL of the matching entry).</item>
/// <item><c>{prefix}:sse-keys:{session}</c> — a set of the session's event stream keys (what <see cref="RemoveSessionAsync"/> deletes).</item>
/// <item><c>{prefix}:sse-done:{session}</c> — a set of the streams marked complete.</item>
/// </list>
/// <para>Each append and each read runs as one Lua script (atomic against other instances). Every append sets the
/// session keys to expire after the time to live, so a session that ends without a DELETE leaves nothing behind.
/// Redis failures surface as <see cref="McpCqrs.Mcp.Sessions.SessionStoreUnavailableException"/>.</para>
/// </remarks>
internal sealed class RedisSseReplayBuffer(IConnectionMultiplexer redis, IOptions<SseReplayOptions> options, TimeProvider clock, string keyPrefix = "mcpcqrs") : ISseReplayBuffer
{
    /// <summary>Drops events from the head of the session's order list while over the count or older than the limit.</summary>
    private const string TrimFunction = """
        local function trim(order, eventKeys, eventsPrefix, oldest, max)
          local count = redis.call('LLEN', order)
          while count > 0 do
            local head = redis.call('LINDEX', order, 0)
            local bar1 = string.find(head, '|', 1, true)
            local bar2 = string.find(head, '|', bar1 + 1, true)
            if count <= max and tonumber(string.sub(head, 1, bar1 - 1)) >= oldest then
              break
            end
            redis.call('LPOP', order)
            local events = eventsPrefix .. string.sub(head, bar2 + 1)
            redis.call('XDEL', events, string.sub(head, bar1 + 1, bar2 - 1) .. '-0')
            if redis.call('XLEN', events) == 0 then
              redis.call('DEL', events)
              redis.call('SREM', eventKeys, events)
            end
            count = count - 1
          end
        end

        """;

    // KEYS: events, sequences, order, eventKeys, done. ARGV: stream, data, now, ttl ms, max, events prefix, oldest.
    private const string AppendScript = TrimFunction + """
        local seq = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
        redis.call('XADD', KEYS[1], string.format('%d-0', seq), 'd', ARGV[2])
        redis.call('RPUSH', KEYS[3], ARGV[3] .. '|' .. string.format('%d', seq) .. '|' .. ARGV[1])
        redis.call('SADD', KEYS[4], KEYS[1])
        trim(KEYS[3], KEYS[4], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[5]))
        for i = 1, 5 do
          redis.call('PEXPIRE', KEYS[i], ARGV[4])
        end
        return seq
        """;

    // KEYS: events, sequences, order, eventKeys. ARGV: stream, after, events prefix, oldest, max.
    // Returns nil when the gap cannot be filled, else n1, data1, n2, data2, ...
    private const string ReadScript = TrimFunction + """
        trim(KEYS[3], KEYS[4], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]))
        local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        local after = tonumber(ARGV[2])
        local oldestKept = last + 1
        local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
        if #first > 0 then
          oldestKept = tonumber(string.match(first[1][1], '^%d+'))
        end
        if after > last or after + 1 < oldestKept then
          return false
        end
        local found = {}
        for _, entry in ipairs(redis.call('XRANGE', KEYS[1], string.format('%d-0', after + 1), '+')) do
          table.insert(found, string.match(entry[1], '^%d+'))
          table.insert(found, entry[2][2])
        end
        return found
        """;

    // KEYS: done. ARGV: stream, ttl ms.
    private const string CompleteScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        """;

    // KEYS: eventKeys, sequences, order, done.
    private const string RemoveScript = """
        for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          redis.call('DEL', key)
        end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        """;

    private IDatabase Database => redis.GetDatabase();

    public ValueTask<SseEvent> AppendAsync(string sessionId, string stream, string data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        var limits = Limits();
        return new(RedisGuard.Run(async () =>
        {
            var sequence = (long)await Database.ScriptEvaluateAsync(
                AppendScript,
                [keys.Events(stream), keys.Sequences, keys.Order, keys.EventKeys, keys.Done],
                [stream, data, limits.Now, limits.TimeToLiveMs, limits.MaxEvents, keys.EventsPrefix, limits.Oldest]);
            return new SseEvent(Id(stream, sequence), data);
        }));
    }

    public ValueTask<IReadOnlyList<SseEvent>?> ReadAfterAsync(string sessionId, string stream, long afterSequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        var limits = Limits();
        return new(RedisGuard.Run<IReadOnlyList<SseEvent>?>(async () =>
        {
            var result = await Database.ScriptEvaluateAsync(
                ReadScript,
                [keys.Events(stream), keys.Sequences, keys.Order, keys.EventKeys],
                [stream, afterSequence, keys.EventsPrefix, limits.Oldest, limits.MaxEvents]);
            if (result.IsNull)
            {
                return null;
            }

            var items = (RedisResult[])result!;
            var events = new SseEvent[items.Length / 2];
            for (var i = 0; i < events.Length; i++)
            {
                events[i] = new SseEvent($"{stream}_{(string)items[2 * i]!}", (string?)items[(2 * i) + 1] ?? string.Empty);
            }

            return events;
        }));
    }

    public ValueTask CompleteAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        var ttl = Limits().TimeToLiveMs;
        return new(RedisGuard.Run(() => Database.ScriptEvaluateAsync(CompleteScript, [keys.Done], [stream, ttl])));
    }

    public ValueTask<bool> IsCompleteAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        return new(RedisGuard.Run(() => Database.SetContainsAsync(keys.Done, stream)));
    }

    public ValueTask<bool> HasStreamAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        return new(RedisGuard.Run(() => Database.HashExistsAsync(keys.Sequences, stream)));
    }

    public ValueTask RemoveSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new SessionKeys(keyPrefix, sessionId);
        return new(RedisGuard.Run(() => Database.ScriptEvaluateAsync(RemoveScript, [keys.EventKeys, keys.Sequences, keys.Order, keys.Done])));
    }

    private static string Id(string stream, long sequence) => string.Create(CultureInfo.InvariantCulture, $"{stream}_{sequence}");

    private (long Now, long Oldest, long TimeToLiveMs, int MaxEvents) Limits()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var ttl = Math.Max(1, (long)options.Value.TimeToLive.TotalMilliseconds);
        return (now, now - ttl, ttl, Math.Max(0, options.Value.MaxEventsPerSession));
    }

    /// <summary>The key layout of one session (see the class remarks).</summary>
    internal readonly record struct SessionKeys(string Prefix, string SessionId)
    {
        public string EventsPrefix => $"{Prefix}:sse:{{{SessionId}}}:";

        public string Sequences => $"{Prefix}:sse-seq:{{{SessionId}}}";

        public string Order => $"{Prefix}:sse-order:{{{SessionId}}}";

        public string EventKeys => $"{Prefix}:sse-keys:{{{SessionId}}}";

        public string Done => $"{Prefix}:sse-done:{{{SessionId}}}";

        public RedisKey Events(string stream) => EventsPrefix + stream;
    }
}

/// <summary>
/// Live delivery across instances on Redis pub/sub: one channel per (session, stream),
/// <c>{prefix}:sse-live:{session}:{stream}</c>. An event published on any instance reaches every subscriber of its
/// stream on every instance, in publish order; a null event (stream complete) travels as JSON <c>null</c>.
/// Pub/sub keeps nothing: an event published while no one listens is not delivered live — the replay buffer has it.
/// </summary>
internal sealed class RedisSseBroker(IConnectionMultiplexer redis, string keyPrefix = "mcpcqrs", ILogger<RedisSseBroker>? logger = null) : ISseBroker
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public ValueTask PublishAsync(string sessionId, string stream, SseEvent? sseEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var message = Encode(sseEvent);
        return new(RedisGuard.Run(() => redis.GetSubscriber().PublishAsync(Channel(keyPrefix, sessionId, stream), message)));
    }

    public ValueTask<IAsyncDisposable> SubscribeAsync(string sessionId, string stream, Func<SseEvent?, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(RedisGuard.Run<IAsyncDisposable>(async () => await RedisChannelSubscription.StartAsync(
            redis.GetSubscriber(),
            Channel(keyPrefix, sessionId, stream),
            message => onEvent(Decode(message)),
            _logger)));
    }

    internal static RedisChannel Channel(string keyPrefix, string sessionId, string stream) =>
        RedisChannel.Literal($"{keyPrefix}:sse-live:{sessionId}:{stream}");

    internal static string Encode(SseEvent? sseEvent) =>
        sseEvent is null ? "null" : new JsonObject { ["id"] = sseEvent.Id, ["data"] = sseEvent.Data }.ToJsonString();

    internal static SseEvent? Decode(RedisValue message) =>
        JsonNode.Parse((string?)message ?? throw new JsonException("An empty SSE broker message.")) is { } node
            ? new SseEvent(node["id"]!.GetValue<string>(), node["data"]!.GetValue<string>())
            : null;
}
