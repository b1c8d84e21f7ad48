using System.Collections.Concurrent;
using McpCqrs.Mcp.Streams;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.InMemory;

/// <summary>The replay buffer of a single instance, in process memory.</summary>
public sealed class InMemorySseReplayBuffer(IOptions<SseReplayOptions> options, TimeProvider clock) : ISseReplayBuffer
{
    private readonly ConcurrentDictionary<string, SessionEvents> _sessions = new(StringComparer.Ordinal);
    private long _nextSweep;

    /// <summary>Sessions holding events (sessions that ended without a DELETE are dropped once their events expire).</summary>
    public int SessionCount => _sessions.Count;

    public ValueTask<SseEvent> AppendAsync(string sessionId, string stream, string data, CancellationToken cancellationToken)
    {
        SweepExpiredSessions();
        var events = _sessions.GetOrAdd(sessionId, _ => new SessionEvents());
        lock (events)
        {
            var sequence = events.Sequences.TryGetValue(stream, out var last) ? last + 1 : 1;
            events.Sequences[stream] = sequence;
            var sseEvent = new SseEvent($"{stream}_{sequence}", data);
            events.Items.AddLast((stream, sequence, sseEvent, clock.GetUtcNow()));
            Trim(events);
            return ValueTask.FromResult(sseEvent);
        }
    }

    public ValueTask<IReadOnlyList<SseEvent>?> ReadAfterAsync(string sessionId, string stream, long afterSequence, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var events))
        {
            return ValueTask.FromResult<IReadOnlyList<SseEvent>?>(afterSequence == 0 ? [] : null);
        }

        lock (events)
        {
            Trim(events);
            var kept = events.Items.Where(e => e.Stream == stream).ToList();
            var lastIssued = events.Sequences.GetValueOrDefault(stream);
            var oldestKept = kept.Count > 0 ? kept[0].Sequence : lastIssued + 1;
            if (afterSequence > lastIssued || afterSequence + 1 < oldestKept)
            {
                return ValueTask.FromResult<IReadOnlyList<SseEvent>?>(null);
            }

            return ValueTask.FromResult<IReadOnlyList<SseEvent>?>([.. kept.Where(e => e.Sequence > afterSequence).Select(e => e.Event)]);
        }
    }

    public ValueTask CompleteAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        var events = _sessions.GetOrAdd(sessionId, _ => new SessionEvents());
        lock (events)
        {
            events.Completed.Add(stream);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> IsCompleteAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var events))
        {
            return ValueTask.FromResult(false);
        }

        lock (events)
        {
            return ValueTask.FromResult(events.Completed.Contains(stream));
        }
    }

    public ValueTask<bool> HasStreamAsync(string sessionId, string stream, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var events))
        {
            return ValueTask.FromResult(false);
        }

        lock (events)
        {
            return ValueTask.FromResult(events.Sequences.ContainsKey(stream));
        }
    }

    public ValueTask RemoveSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(sessionId, out _);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Forgets sessions whose newest event is older than the time to live (their client has not come back, or the
    /// session expired without a DELETE). Runs at most once per quarter of the time to live.
    /// </summary>
    private void SweepExpiredSessions()
    {
        var now = clock.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweep, now.UtcTicks + (options.Value.TimeToLive.Ticks / 4), due) != due)
        {
            return;
        }

        var oldest = now - options.Value.TimeToLive;
        foreach (var (id, events) in _sessions)
        {
            lock (events)
            {
                if (events.Items.Last is null || events.Items.Last.Value.At < oldest)
                {
                    _sessions.TryRemove(new KeyValuePair<string, SessionEvents>(id, events));
                }
            }
        }
    }

    private void Trim(SessionEvents events)
    {
        var oldest = clock.GetUtcNow() - options.Value.TimeToLive;
        while (events.Items.First is { } first && (events.Items.Count > options.Value.MaxEventsPerSession || first.Value.At < oldest))
        {
            events.Items.RemoveFirst();
        }
    }

    private sealed class SessionEvents
    {
        public LinkedList<(string Stream, long Sequence, SseEvent Event, DateTimeOffset At)> Items { get; } = new();

        public Dictionary<string, long> Sequences { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Completed { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Live delivery within one instance: a subscriber per (session, stream).</summary>
public sealed class InMemorySseBroker : ISseBroker
{
    private readonly ConcurrentDictionary<(string Session, string Stream), ImmutableSubscribers> _subscribers = new();

    public async ValueTask PublishAsync(string sessionId, string stream, SseEvent? sseEvent, CancellationToken cancellationToken)
    {
        if (_subscribers.TryGetValue((sessionId, stream), out var subscribers))
        {
            foreach (var subscriber in subscribers.Items)
            {
                await subscriber(sseEvent);
            }
        }
    }

    public ValueTask<IAsyncDisposable> SubscribeAsync(string sessionId, string stream, Func<SseEvent?, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        var key = (sessionId, stream);
        _subscribers.AddOrUpdate(key, _ => new ImmutableSubscribers([onEvent]), (_, s) => new ImmutableSubscribers([.. s.Items, onEvent]));
        return ValueTask.FromResult<IAsyncDisposable>(new Subscription(() =>
        {
            while (_subscribers.TryGetValue(key, out var current))
            {
                var remaining = current.Items.Where(s => s != onEvent).ToArray();
                if (remaining.Length == 0
                    ? _subscribers.TryRemove(new KeyValuePair<(string, string), ImmutableSubscribers>(key, current))
                    : _subscribers.TryUpdate(key, new ImmutableSubscribers(remaining), current))
                {
                    return;
                }
            }
        }));
    }

    private sealed record ImmutableSubscribers(Func<SseEvent?, ValueTask>[] Items);

    private sealed class Subscription(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
