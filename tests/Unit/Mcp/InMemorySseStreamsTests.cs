using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class InMemorySseReplayBufferTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private InMemorySseReplayBuffer Buffer(int maxEvents = 100, int ttlMinutes = 10) =>
        new(Options.Create(new SseReplayOptions { MaxEventsPerSession = maxEvents, TimeToLive = TimeSpan.FromMinutes(ttlMinutes) }), _clock);

    private static async Task Append(InMemorySseReplayBuffer buffer, string session, string stream, params string[] data)
    {
        foreach (var item in data)
        {
            await buffer.AppendAsync(session, stream, item, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Ids_count_up_per_stream_and_per_session()
    {
        var buffer = Buffer();

        var g1 = await buffer.AppendAsync("s1", "g", "a", CancellationToken.None);
        var r1 = await buffer.AppendAsync("s1", "r1", "b", CancellationToken.None);
        var g2 = await buffer.AppendAsync("s1", "g", "c", CancellationToken.None);
        var other = await buffer.AppendAsync("s2", "g", "d", CancellationToken.None);

        Assert.Equal(["g_1", "r1_1", "g_2", "g_1"], new[] { g1, r1, g2, other }.Select(e => e.Id));
        Assert.Equal("c", g2.Data);
    }

    [Fact]
    public async Task Reading_after_a_position_returns_exactly_the_later_events_of_that_stream_in_order()
    {
        var buffer = Buffer();
        await Append(buffer, "s1", "g", "g1");
        await Append(buffer, "s1", "r1", "r1");
        await Append(buffer, "s1", "g", "g2", "g3");
        await Append(buffer, "s2", "g", "other");

        var events = await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None);

        Assert.Equal(["g2", "g3"], events!.Select(e => e.Data));
        Assert.Equal(["g_2", "g_3"], events!.Select(e => e.Id));
    }

    [Fact]
    public async Task Reading_after_zero_returns_the_whole_stream_and_after_the_last_nothing()
    {
        var buffer = Buffer();
        await Append(buffer, "s1", "g", "a", "b");

        Assert.Equal(["a", "b"], (await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None))!.Select(e => e.Data));
        Assert.Empty((await buffer.ReadAfterAsync("s1", "g", 2, CancellationToken.None))!);
    }

    [Fact]
    public async Task Reading_after_a_sequence_never_issued_is_null()
    {
        var buffer = Buffer();
        await Append(buffer, "s1", "g", "a", "b");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 3, CancellationToken.None));
        Assert.Null(await buffer.ReadAfterAsync("s1", "r9", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Reading_an_unknown_session_from_the_start_is_empty_and_from_elsewhere_null()
    {
        var buffer = Buffer();

        Assert.Empty((await buffer.ReadAfterAsync("nope", "g", 0, CancellationToken.None))!);
        Assert.Null(await buffer.ReadAfterAsync("nope", "g", 4, CancellationToken.None));
    }

    [Fact]
    public async Task Events_beyond_the_maximum_count_are_evicted_oldest_first()
    {
        var buffer = Buffer(maxEvents: 3);
        await Append(buffer, "s1", "g", "1", "2", "3", "4", "5");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None));
        Assert.Equal(["3", "4", "5"], (await buffer.ReadAfterAsync("s1", "g", 2, CancellationToken.None))!.Select(e => e.Data));
    }

    [Fact]
    public async Task The_maximum_count_covers_all_streams_of_a_session()
    {
        var buffer = Buffer(maxEvents: 3);
        await Append(buffer, "s1", "g", "g1", "g2");
        await Append(buffer, "s1", "r1", "r1", "r2");

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Equal(["g2"], (await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None))!.Select(e => e.Data));
        Assert.Equal(["r1", "r2"], (await buffer.ReadAfterAsync("s1", "r1", 0, CancellationToken.None))!.Select(e => e.Data));
    }

    [Fact]
    public async Task The_maximum_count_of_one_session_does_not_evict_another()
    {
        var buffer = Buffer(maxEvents: 2);
        await Append(buffer, "s1", "g", "a", "b");
        await Append(buffer, "s2", "g", "c", "d", "e");

        Assert.Equal(["a", "b"], (await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None))!.Select(e => e.Data));
    }

    [Fact]
    public async Task Events_older_than_the_time_to_live_are_evicted()
    {
        var buffer = Buffer(ttlMinutes: 10);
        await Append(buffer, "s1", "g", "old");
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Append(buffer, "s1", "g", "young");
        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 0, CancellationToken.None));
        Assert.Equal(["young"], (await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None))!.Select(e => e.Data));
    }

    [Fact]
    public async Task When_every_event_expired_only_the_last_position_can_resume()
    {
        var buffer = Buffer(ttlMinutes: 10);
        await Append(buffer, "s1", "g", "a", "b");
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Null(await buffer.ReadAfterAsync("s1", "g", 1, CancellationToken.None));
        Assert.Empty((await buffer.ReadAfterAsync("s1", "g", 2, CancellationToken.None))!);
    }

    [Fact]
    public async Task A_stream_is_complete_only_once_marked()
    {
        var buffer = Buffer();
        await Append(buffer, "s1", "r1", "a");

        Assert.False(await buffer.IsCompleteAsync("s1", "r1", CancellationToken.None));
        await buffer.CompleteAsync("s1", "r1", CancellationToken.None);

        Assert.True(await buffer.IsCompleteAsync("s1", "r1", CancellationToken.None));
        Assert.False(await buffer.IsCompleteAsync("s1", "r2", CancellationToken.None));
        Assert.False(await buffer.IsCompleteAsync("s2", "r1", CancellationToken.None));
    }

    [Fact]
    public async Task Removing_a_session_forgets_its_events_and_completions()
    {
        var buffer = Buffer();
        await Append(buffer, "s1", "r1", "a", "b");
        await Append(buffer, "s2", "r1", "c");
        await buffer.CompleteAsync("s1", "r1", CancellationToken.None);

        await buffer.RemoveSessionAsync("s1", CancellationToken.None);

        Assert.Null(await buffer.ReadAfterAsync("s1", "r1", 1, CancellationToken.None));
        Assert.False(await buffer.IsCompleteAsync("s1", "r1", CancellationToken.None));
        Assert.Equal(["c"], (await buffer.ReadAfterAsync("s2", "r1", 0, CancellationToken.None))!.Select(e => e.Data));
    }

    [Fact]
    public async Task A_session_that_ended_without_a_DELETE_is_forgotten_once_its_events_expire()
    {
        var buffer = Buffer(maxEvents: 100, ttlMinutes: 10);
        await Append(buffer, "abandoned", "g", "a");
        await Append(buffer, "busy", "g", "b");

        _clock.Advance(TimeSpan.FromMinutes(11));
        await Append(buffer, "busy", "g", "c");

        Assert.Equal(1, buffer.SessionCount);
        Assert.Null(await buffer.ReadAfterAsync("abandoned", "g", 1, default));
    }
}

public sealed class InMemorySseBrokerTests
{
    private readonly InMemorySseBroker _broker = new();

    private async Task<(List<SseEvent?> Received, IAsyncDisposable Subscription)> Subscribe(string session, string stream)
    {
        var received = new List<SseEvent?>();
        var subscription = await _broker.SubscribeAsync(session, stream, e =>
        {
            received.Add(e);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return (received, subscription);
    }

    [Fact]
    public async Task A_subscriber_receives_the_events_of_its_session_and_stream_only()
    {
        var (received, subscription) = await Subscribe("s1", "g");
        await using var _ = subscription;

        await _broker.PublishAsync("s1", "g", new SseEvent("g_1", "mine"), CancellationToken.None);
        await _broker.PublishAsync("s1", "r1", new SseEvent("r1_1", "other stream"), CancellationToken.None);
        await _broker.PublishAsync("s2", "g", new SseEvent("g_1", "other session"), CancellationToken.None);
        await _broker.PublishAsync("s1", "g", null, CancellationToken.None);

        Assert.Equal(["mine", null], received.Select(e => e?.Data));
    }

    [Fact]
    public async Task A_disposed_subscription_receives_nothing()
    {
        var (received, subscription) = await Subscribe("s1", "g");

        await subscription.DisposeAsync();
        await _broker.PublishAsync("s1", "g", new SseEvent("g_1", "late"), CancellationToken.None);

        Assert.Empty(received);
    }

    [Fact]
    public async Task Disposing_one_subscription_leaves_the_others_of_the_stream()
    {
        var (first, firstSubscription) = await Subscribe("s1", "g");
        var (second, secondSubscription) = await Subscribe("s1", "g");
        await using var _ = secondSubscription;

        await _broker.PublishAsync("s1", "g", new SseEvent("g_1", "both"), CancellationToken.None);
        await firstSubscription.DisposeAsync();
        await _broker.PublishAsync("s1", "g", new SseEvent("g_2", "second only"), CancellationToken.None);

        Assert.Equal(["both"], first.Select(e => e?.Data));
        Assert.Equal(["both", "second only"], second.Select(e => e?.Data));
    }
}

public sealed class SseEventTests
{
    [Theory]
    [InlineData("g_12", "g", 12)]
    [InlineData("r1_1", "r1", 1)]
    [InlineData("r_abc_3", "r_abc", 3)]
    public void A_well_formed_id_gives_its_stream_and_sequence(string id, string stream, long sequence)
    {
        Assert.True(SseEvent.TryParseId(id, out var parsedStream, out var parsedSequence));
        Assert.Equal(stream, parsedStream);
        Assert.Equal(sequence, parsedSequence);
        Assert.Equal(sequence, new SseEvent(id, "").Sequence);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("g")]
    [InlineData("_3")]
    [InlineData("g_")]
    [InlineData("g_-1")]
    [InlineData("g_+1")]
    [InlineData("g_x")]
    [InlineData("g_1.5")]
    [InlineData("g_ 1")]
    public void A_malformed_id_is_refused(string? id)
    {
        Assert.False(SseEvent.TryParseId(id, out var stream, out _));
        Assert.Equal(string.Empty, stream);
    }
}
