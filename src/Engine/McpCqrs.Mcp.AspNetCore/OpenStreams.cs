using System.Collections.Concurrent;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The standalone GET streams of the sessions this instance serves: at most one open connection per session (a
/// new one takes over from the old), and how far each session's stream was delivered, so a fresh GET (without
/// <c>Last-Event-ID</c>) first receives what was notified while no stream was open.
/// </summary>
public sealed class OpenStreams
{
    private readonly ConcurrentDictionary<string, State> _streams = new(StringComparer.Ordinal);

    /// <summary>Sessions whose GET stream this instance serves or served.</summary>
    public IReadOnlyCollection<string> Sessions => [.. _streams.Keys];

    public int OpenCount => _streams.Values.Count(s => s.Connection is not null);

    /// <summary>
    /// Registers a new connection for the session's stream, closing the previous one; null when the session's
    /// resumed response streams leave no room under <paramref name="maxStreams"/> (the GET stream counts as one).
    /// </summary>
    public CancellationTokenSource? Open(string sessionId, CancellationToken connection, int maxStreams = int.MaxValue) =>
        Open(sessionId, connection, CancellationToken.None, maxStreams);

    /// <summary>
    /// <see cref="Open(string, CancellationToken, int)"/> for a connection that also ends when <paramref name="stopping"/>
    /// fires (the host stopping): one token source linked to both, where a source linked to a source linked to both
    /// would keep two.
    /// </summary>
    internal CancellationTokenSource? Open(string sessionId, CancellationToken connection, CancellationToken stopping, int maxStreams)
    {
        var state = _streams.GetOrAdd(sessionId, _ => new State());
        CancellationTokenSource cts;
        CancellationTokenSource? previous;
        lock (state)
        {
            if (state.Resumed >= maxStreams)
            {
                return null;
            }

            cts = CancellationTokenSource.CreateLinkedTokenSource(connection, stopping);
            previous = state.Connection;
            state.Connection = cts;
        }

        try
        {
            previous?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The previous stream ended meanwhile (its source disposed): nothing to take over from.
        }

        return cts;
    }

    public void Closed(string sessionId, CancellationTokenSource cts)
    {
        if (_streams.TryGetValue(sessionId, out var state))
        {
            lock (state)
            {
                if (state.Connection == cts)
                {
                    state.Connection = null;
                }
            }
        }
    }

    /// <summary>
    /// Admits one more resumed response stream of the session, unless it has <paramref name="maxStreams"/> streams
    /// open on this instance (its GET stream counting as one); each admitted stream ends with <see cref="ClosedResumed"/>.
    /// </summary>
    public bool TryOpenResumed(string sessionId, int maxStreams)
    {
        var state = _streams.GetOrAdd(sessionId, _ => new State());
        lock (state)
        {
            if (state.Resumed + (state.Connection is null ? 0 : 1) >= maxStreams)
            {
                return false;
            }

            state.Resumed++;
            return true;
        }
    }

    public void ClosedResumed(string sessionId)
    {
        if (_streams.TryGetValue(sessionId, out var state))
        {
            lock (state)
            {
                state.Resumed = Math.Max(0, state.Resumed - 1);
            }
        }
    }

    /// <summary>The sequence of the last event written to the session's GET stream (0: none).</summary>
    public long Delivered(string sessionId) => _streams.TryGetValue(sessionId, out var state) ? Interlocked.Read(ref state.Delivered) : 0;

    public void Written(string sessionId, long sequence)
    {
        if (_streams.TryGetValue(sessionId, out var state))
        {
            long current;
            while (sequence > (current = Interlocked.Read(ref state.Delivered)) && Interlocked.CompareExchange(ref state.Delivered, sequence, current) != current)
            {
            }
        }
    }

    /// <summary>The session ended: close its stream and forget it.</summary>
    public void Close(string sessionId)
    {
        if (_streams.TryRemove(sessionId, out var state))
        {
            lock (state)
            {
                state.Connection?.Cancel();
            }
        }
    }

    private sealed class State
    {
        public CancellationTokenSource? Connection;
        public long Delivered;
        public int Resumed;
    }
}
