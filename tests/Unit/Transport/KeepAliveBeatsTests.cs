using System.Threading.Channels;
using McpCqrs.Mcp.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Transport;

/// <summary>
/// The host's keep-alive beats on a fake clock: one tick per stream per interval, the first about an interval after a
/// stream joins, never a second while the first waits, none after the stream leaves.
/// </summary>
public sealed class KeepAliveBeatsTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(16);
    private static readonly TimeSpan Slot = Interval / KeepAliveBeats.Slots;

    private readonly FakeTimeProvider _clock = new();
    private readonly KeepAliveBeats _beats;

    public KeepAliveBeatsTests() =>
        _beats = new KeepAliveBeats(Options.Create(new McpTransportOptions { KeepAliveInterval = Interval }), _clock);

    public void Dispose() => _beats.Dispose();

    private static int Count(Channel<string> queue)
    {
        var count = 0;
        while (queue.Reader.TryRead(out _))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public void A_stream_hears_its_first_beat_about_one_interval_after_it_joins_and_one_each_interval_after()
    {
        var queue = Channel.CreateUnbounded<string>();
        using var beat = _beats.Join(queue.Writer, "tick");

        _clock.Advance(Interval - Slot);
        Assert.Equal(0, Count(queue));

        _clock.Advance(Slot);
        Assert.Equal(1, Count(queue));
        beat.Heard();

        _clock.Advance(Interval);
        Assert.Equal(1, Count(queue));
    }

    [Fact]
    public void A_stream_that_joins_between_two_ticks_hears_its_first_beat_within_one_interval()
    {
        var queue = Channel.CreateUnbounded<string>();
        using var first = _beats.Join(Channel.CreateUnbounded<string>().Writer, "tick"); // starts the timer
        _clock.Advance(Slot / 2);
        using var beat = _beats.Join(queue.Writer, "tick");

        _clock.Advance(Interval - Slot);
        Assert.Equal(0, Count(queue));

        _clock.Advance(Slot);
        Assert.Equal(1, Count(queue));
    }

    [Fact]
    public void Ticks_that_overlap_still_beat_every_slot_in_turn()
    {
        var queues = Enumerable.Range(0, KeepAliveBeats.Slots).Select(_ => Channel.CreateUnbounded<string>()).ToArray();
        var joined = new List<KeepAliveBeats.Beat>();
        foreach (var queue in queues)
        {
            joined.Add(_beats.Join(queue.Writer, "tick"));
            _clock.Advance(Slot); // one stream in each slot
        }

        foreach (var queue in queues)
        {
            Count(queue);
        }

        joined.ForEach(beat => beat.Heard());

        // One interval of ticks, run on many threads at once as a busy thread pool may run a timer's callbacks.
        Parallel.For(0, KeepAliveBeats.Slots, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => _beats.TickForTest());

        Assert.All(queues, queue => Assert.Equal(1, Count(queue)));
        joined.ForEach(j => j.Dispose());
    }

    [Fact]
    public void A_stream_that_has_not_taken_its_tick_is_not_sent_another()
    {
        var queue = Channel.CreateUnbounded<string>();
        using var beat = _beats.Join(queue.Writer, "tick");

        _clock.Advance(5 * Interval);
        Assert.Equal(1, Count(queue));

        beat.Heard();
        _clock.Advance(Interval);
        Assert.Equal(1, Count(queue));
    }

    [Fact]
    public void Streams_that_join_at_different_times_are_beaten_on_their_own_schedules()
    {
        var early = Channel.CreateUnbounded<string>();
        var late = Channel.CreateUnbounded<string>();
        using var first = _beats.Join(early.Writer, "tick");
        _clock.Advance(Interval / 2);
        using var second = _beats.Join(late.Writer, "tick");

        _clock.Advance(Interval / 2);
        Assert.Equal((1, 0), (Count(early), Count(late)));

        first.Heard();
        _clock.Advance(Interval / 2);
        Assert.Equal((0, 1), (Count(early), Count(late)));
    }

    [Fact]
    public void Beats_stop_when_the_host_stops()
    {
        var queue = Channel.CreateUnbounded<string>();
        using var beat = _beats.Join(queue.Writer, "tick");
        _beats.Dispose();

        _clock.Advance(3 * Interval);
        using var late = _beats.Join(queue.Writer, "tick");
        _clock.Advance(3 * Interval);

        Assert.Equal(0, Count(queue));
    }

    [Fact]
    public void A_stream_that_left_hears_nothing_more()
    {
        var queue = Channel.CreateUnbounded<string>();
        var beat = _beats.Join(queue.Writer, "tick");
        beat.Dispose();

        _clock.Advance(3 * Interval);

        Assert.Equal(0, Count(queue));
    }
}
