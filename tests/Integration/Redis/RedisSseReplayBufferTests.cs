using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary>
/// <see cref="RedisSseReplayBuffer"/> against a real Redis: the behaviours of the in-memory buffer's unit tests, with
/// the two instances (connections <c>A</c> and <c>B</c>) taking turns, plus what only a shared store has.
/// </summary>
public sealed class RedisSseReplayBufferTests : RedisTwoInstances
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private RedisSseReplayBuffer Buffer(IConnectionMultiplexer redis, int maxEvents = 100, int ttlMinutes = 10) =>
        new(redis, Options.Create(new SseReplayOptions { MaxEventsPerSession = maxEvents, TimeToLive = TimeSpan.FromMinutes(ttlMinutes) }), _clock, Prefix);

    private static async Task Append(ISseReplayBuffer buffer, string session, string stream, params string[] data)
    {
        foreach (var item in data)
        {
            await buffer.AppendAsync(session, stream, item, CancellationToken.None);
        }
    }

    /// <summary>The data of the events after <paramref name="after"/>, which must be readable (not a gap).</summary>
    private static async Task<string[]> Data(ISseReplayBuffer buffer, string session, string stream, long after)
    {
        var events = await buffer.ReadAfterAsync(session, stream, after, CancellationToken.None);
        Assert.NotNull(events);
        return [.. events.Select(e => e.Data)];
    }

    [Fact]
    public async Task Ids_count_up_per_stream_and_per_session_whichever_instance_appends()
    {
        var (onA, onB) = (Buffer(A), Buffer(B));

        var g1 = await onA.AppendAsync("s1", "g", "a", CancellationToken.None);
        var r1 = await onB.AppendAsync("s1", "r1", "b", CancellationToken.None);
        var g2 = await onB.AppendAsync("s1", "g", "c", CancellationToken.None);
        var other = await onA.AppendAsync("s2", "g", "d", CancellationToken.None);

        Assert.Equal(["g_1", "r1_1", "g_2", "g_1"], new[] { g1, r1, g2, other }.Select(e => e.Id));
        Assert.Equal("c", g2.Data);
    }

    [Fact]
    public async Task Reading_after_a_position_on_another_instance_returns_exactly_the_later_events_of_that_stream_in_order()
    {
        var onA = Buffer(A);
        await Append(onA, "s1", "g", "g1");
        await Append(onA, "s1", "r1", "r1");
        await Append(onA, "s1", "g", "g2", "g3");
        await Append(onA, "s2", "g", "other");

        var events = await Buffer(B).ReadAfterAsync("s1", "g", 1, CancellationToken.None);

        Assert.Equal(["g2", "g3"], events!.Select(e => e.Data));
        Assert.Equal(["g_2", "g_3"], events!.Select(e => e.Id));
    }

    [Fact]
    public async Task Reading_after_zero_returns_the_whole_stream_and_after_the_last_nothing()
    {
        var buffer = Buffer(A);
        await Append(buffer, "s1", "g", "a", "b");

        Assert.Equal(["a", "b"], await Data(buffer, "s1", "g", 0));
        Assert.Empty((await buffer.ReadAfterAsync("s1", "g", 2, CancellationToken.None))!);
    }

    [Fact]
    public async Task Reading_after_a_sequence_never_issued_is_null()
    {
        var buffer = Buffer(A);
        await Append(buffer, "s1", "g", "a", "b");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 3, CancellationToken.None));
        Assert.Null(await buffer.ReadAfterAsync("s1", "g", long.MaxValue, CancellationToken.None));
        Assert.Null(await buffer.ReadAfterAsync("s1", "r9", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Reading_an_unknown_session_from_the_start_is_empty_and_from_elsewhere_null()
    {
        var buffer = Buffer(A);

        Assert.Empty((await buffer.ReadAfterAsync("nope", "g", 0, CancellationToken.None))!);
        Assert.Null(await buffer.ReadAfterAsync("nope", "g", 4, CancellationToken.None));
    }

    [Fact]
    public async Task Events_beyond_the_maximum_count_are_evicted_oldest_first()
    {
        var buffer = Buffer(A, maxEvents: 3);
        await Append(buffer, "s1", "g", "1", "2", "3", "4", "5");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None));
        Assert.Equal(["3", "4", "5"], await Data(Buffer(B, maxEvents: 3), "s1", "g", 2));
    }

    [Fact]
    public async Task The_maximum_count_covers_all_streams_of_a_session()
    {
        var buffer = Buffer(A, maxEvents: 3);
        await Append(buffer, "s1", "g", "g1", "g2");
        await Append(Buffer(B, maxEvents: 3), "s1", "r1", "r1", "r2");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Equal(["g2"], await Data(buffer, "s1", "g", 1));
        Assert.Equal(["r1", "r2"], await Data(buffer, "s1", "r1", 0));
    }

    [Fact]
    public async Task The_maximum_count_of_one_session_does_not_evict_another()
    {
        var buffer = Buffer(A, maxEvents: 2);
        await Append(buffer, "s1", "g", "a", "b");
        await Append(buffer, "s2", "g", "c", "d", "e");

        Assert.Equal(["a", "b"], await Data(buffer, "s1", "g", 0));
    }

    [Fact]
    public async Task Events_older_than_the_time_to_live_are_evicted()
    {
        var buffer = Buffer(A, ttlMinutes: 10);
        await Append(buffer, "s1", "g", "old");
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Append(buffer, "s1", "g", "young");
        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Equal(["young"], await Data(Buffer(B, ttlMinutes: 10), "s1", "g", 1));
    }

    [Fact]
    public async Task When_every_event_expired_only_the_last_position_can_resume()
    {
        var buffer = Buffer(A, ttlMinutes: 10);
        await Append(buffer, "s1", "g", "a", "b");
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None));
        Assert.Empty((await buffer.ReadAfterAsync("s1", "g", 2, CancellationToken.None))!);
        Assert.Equal("g_3", (await buffer.AppendAsync("s1", "g", "c", CancellationToken.None)).Id);
    }

    [Fact]
    public async Task A_stream_is_complete_only_once_marked_and_every_instance_sees_it()
    {
        var (onA, onB) = (Buffer(A), Buffer(B));
        await Append(onA, "s1", "r1", "a");

        Assert.False(await onB.IsCompleteAsync("s1", "r1", CancellationToken.None));
        await onA.CompleteAsync("s1", "r1", CancellationToken.None);

        Assert.True(await onB.IsCompleteAsync("s1", "r1", CancellationToken.None));
        Assert.False(await onB.IsCompleteAsync("s1", "r2", CancellationToken.None));
        Assert.False(await onB.IsCompleteAsync("s2", "r1", CancellationToken.None));
    }

    [Fact]
    public async Task Removing_a_session_forgets_its_events_and_completions_and_deletes_its_keys()
    {
        var (onA, onB) = (Buffer(A), Buffer(B));
        await Append(onA, "s1", "r1", "a", "b");
        await Append(onA, "s1", "g", "c");
        await Append(onA, "s2", "r1", "d");
        await onA.CompleteAsync("s1", "r1", CancellationToken.None);

        await onB.RemoveSessionAsync("s1", CancellationToken.None);

        Assert.Null(await onA.ReadAfterAsync("s1", "r1", 1, CancellationToken.None));
        Assert.False(await onA.IsCompleteAsync("s1", "r1", CancellationToken.None));
        Assert.Equal(["d"], await Data(onA, "s2", "r1", 0));
        Assert.Empty(await KeysAsync("*{s1}*"));
        Assert.NotEmpty(await KeysAsync("*{s2}*"));
    }

    [Fact]
    public async Task Events_are_kept_in_one_Redis_stream_per_session_and_stream()
    {
        var buffer = Buffer(A);
        await Append(buffer, "s1", "g", "a", "b");
        await Append(buffer, "s1", "r1", "c");

        var database = A.GetDatabase();
        var entries = await database.StreamRangeAsync($"{Prefix}:sse:{{s1}}:g");
        Assert.Equal(["1-0", "2-0"], entries.Select(e => (string)e.Id!));
        Assert.Equal(["a", "b"], entries.Select(e => (string)e["d"]!));
        Assert.Equal(1, await database.StreamLengthAsync($"{Prefix}:sse:{{s1}}:r1"));
        Assert.Equal(RedisType.Stream, await database.KeyTypeAsync($"{Prefix}:sse:{{s1}}:g"));
    }

    [Fact]
    public async Task Every_key_of_a_session_expires_after_the_time_to_live_and_an_append_renews_it()
    {
        var buffer = Buffer(A, ttlMinutes: 10);
        await Append(buffer, "s1", "g", "a");
        await Append(buffer, "s1", "r1", "b");
        await buffer.CompleteAsync("s1", "r1", CancellationToken.None);
        var database = A.GetDatabase();
        var keys = await KeysAsync("*{s1}*");
        Assert.Equal(6, keys.Count); // two event streams, sequences, order, event keys, done

        foreach (var key in keys)
        {
            await database.KeyExpireAsync(key, TimeSpan.FromSeconds(30));
        }

        await Append(buffer, "s1", "g", "c");

        foreach (var key in keys.Where(k => !k.ToString().EndsWith(":r1", StringComparison.Ordinal)))
        {
            var ttl = await database.KeyTimeToLiveAsync(key);
            Assert.True(ttl > TimeSpan.FromMinutes(9) && ttl <= TimeSpan.FromMinutes(10), $"{key}: {ttl}");
        }

        // The r1 stream's events are no younger than its last append, so its key may go with them.
        var r1 = await database.KeyTimeToLiveAsync($"{Prefix}:sse:{{s1}}:r1");
        Assert.True(r1 > TimeSpan.Zero && r1 <= TimeSpan.FromSeconds(30), $"r1: {r1}");
    }

    [Fact]
    public async Task Evicted_streams_leave_no_event_key_behind()
    {
        var buffer = Buffer(A, maxEvents: 2);
        await Append(buffer, "s1", "r1", "a");
        await Append(buffer, "s1", "r2", "b");
        await Append(buffer, "s1", "g", "c", "d");

        Assert.Empty(await KeysAsync("sse:{s1}:r*"));
        Assert.Single(await KeysAsync("sse:{s1}:*"));
        Assert.Empty((await buffer.ReadAfterAsync("s1", "r1", 1, CancellationToken.None))!);
    }

    [Fact]
    public async Task Concurrent_appends_from_two_instances_get_distinct_ids_stored_in_order()
    {
        var (onA, onB) = (Buffer(A, maxEvents: 1000), Buffer(B, maxEvents: 1000));

        var appended = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            (i % 2 == 0 ? onA : onB).AppendAsync("s1", "g", $"e{i}", CancellationToken.None).AsTask()));

        Assert.Equal(Enumerable.Range(1, 200).Select(n => (long)n), appended.Select(e => e.Sequence).Order());
        var read = await onB.ReadAfterAsync("s1", "g", 0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 200).Select(n => (long)n), read!.Select(e => e.Sequence));
        Assert.Equal(appended.OrderBy(e => e.Sequence).Select(e => e.Data), read!.Select(e => e.Data));
    }

    [Fact]
    public async Task Data_round_trips_exactly()
    {
        var buffer = Buffer(A);
        string[] data = ["", "line one\nline two\r\n", "ünïcødé ✓ 🚀", "a|b|c", """{"jsonrpc":"2.0","method":"x"}"""];
        await Append(buffer, "s1", "r_x|y", data);

        Assert.Equal(data, await Data(Buffer(B), "s1", "r_x|y", 0));
    }

    [Fact]
    public async Task A_Redis_timeout_is_a_session_store_failure_too()
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AsyncTimeout = 300;
        await using var slow = await ConnectionMultiplexer.ConnectAsync(options);
        var buffer = Buffer(slow);
        // A blocking pop holds the connection's only pipe, so the append's reply does not come in time.
        var blocked = slow.GetDatabase().ExecuteAsync("BLPOP", $"{Prefix}:blocked", 5);

        var failure = await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.AppendAsync("s1", "g", "a", CancellationToken.None));

        Assert.IsType<RedisTimeoutException>(failure.InnerException);
        await Assert.ThrowsAnyAsync<Exception>(() => blocked);
    }

    [Fact]
    public async Task Redis_unavailable_is_a_session_store_failure_not_a_silent_miss()
    {
        await using var down = await UnreachableAsync();
        var buffer = Buffer(down);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.AppendAsync("s1", "g", "a", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.CompleteAsync("s1", "g", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.IsCompleteAsync("s1", "g", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await buffer.RemoveSessionAsync("s1", CancellationToken.None));
    }
}
