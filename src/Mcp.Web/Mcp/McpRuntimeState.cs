using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>Requests running on this instance, so <c>notifications/cancelled</c> can cancel their handlers.</summary>
public sealed class InFlightRequests
{
    // Every request adds and removes an entry: more lock stripes than the default (one per core) keep them apart.
    private readonly ConcurrentDictionary<(string Session, string Id), CancellationTokenSource> _running = new(concurrencyLevel: 64, capacity: 256);
    private volatile bool _stopping;

    /// <summary>
    /// One registration on <paramref name="lifetime"/>'s stopping token cancels every running request; each request
    /// has a plain token source of its own (linking each to the shared stopping token would make every request
    /// register and unregister on that one token, which serializes them under load).
    /// </summary>
    public InFlightRequests(IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.Register(CancelAll);

    public int Count => _running.Count;

    public Registration Register(string sessionId, RequestId id)
    {
        var key = (sessionId, id.ToString());
        var cts = new CancellationTokenSource();
        _running[key] = cts;
        if (_stopping)
        {
            cts.Cancel();
        }

        return new Registration(this, key, cts);
    }

    /// <summary>Cancels the request's handler; false when it is not running here.</summary>
    public bool Cancel(string sessionId, string id)
    {
        if (_running.TryGetValue((sessionId, id), out var cts))
        {
            cts.Cancel();
            return true;
        }

        return false;
    }

    /// <summary>Cancels the handlers of every request of <paramref name="sessionId"/> running here (the session ended); how many.</summary>
    public int CancelSession(string sessionId)
    {
        var cancelled = 0;
        foreach (var (key, cts) in _running)
        {
            if (key.Session == sessionId && TryCancel(cts))
            {
                cancelled++;
            }
        }

        return cancelled;
    }

    private static bool TryCancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile.
            return false;
        }
    }

    private void CancelAll()
    {
        _stopping = true;
        foreach (var cts in _running.Values)
        {
            TryCancel(cts);
        }
    }

    public readonly struct Registration(InFlightRequests owner, (string, string) key, CancellationTokenSource cts) : IDisposable
    {
        public CancellationToken Token => cts.Token;

        public void Dispose()
        {
            owner._running.TryRemove(new KeyValuePair<(string Session, string Id), CancellationTokenSource>(key, cts));
            cts.Dispose();
        }
    }
}

/// <summary>Requests this server sent to clients (sampling, elicitation), waiting for the client's response POST.</summary>
public sealed class PendingClientRequests
{
    private readonly ConcurrentDictionary<(string Session, string Id), TaskCompletionSource<JsonNode?>> _pending = new();

    public (RequestId Id, Task<JsonNode?> Answer) Register(string sessionId)
    {
        var id = new RequestId($"srv-{Guid.NewGuid():N}");
        var tcs = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[(sessionId, id.ToString())] = tcs;
        return (id, tcs.Task);
    }

    public void Forget(string sessionId, RequestId id) => _pending.TryRemove((sessionId, id.ToString()), out _);

    /// <summary>Hands a client's response to the waiting handler; false when nothing waits for it.</summary>
    public bool Complete(string sessionId, string id, JsonObject response)
    {
        if (!_pending.TryRemove((sessionId, id), out var tcs))
        {
            return false;
        }

        if (response["error"] is JsonObject error)
        {
            var code = error["code"] is JsonValue c && c.TryGetValue<int>(out var n) ? n : (int)McpErrorCode.InternalError;
            var message = error["message"]?.GetValue<string>() ?? "The client answered with an error.";
            tcs.TrySetException(new McpProtocolException(message, (McpErrorCode)code));
        }
        else
        {
            tcs.TrySetResult(response["result"]?.DeepClone());
        }

        return true;
    }

    /// <summary>Fails whatever waits for an answer from <paramref name="sessionId"/>'s client (the session ended); how many.</summary>
    public int FailSession(string sessionId, Exception reason)
    {
        var failed = 0;
        foreach (var key in _pending.Keys)
        {
            if (key.Session == sessionId && _pending.TryRemove(key, out var tcs) && tcs.TrySetException(reason))
            {
                failed++;
            }
        }

        return failed;
    }
}

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
    public CancellationTokenSource? Open(string sessionId, CancellationToken connection, int maxStreams = int.MaxValue)
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

            cts = CancellationTokenSource.CreateLinkedTokenSource(connection);
            previous = state.Connection;
            state.Connection = cts;
        }

        previous?.Cancel();
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

internal static class JsonNodeExtensions
{
    public static string? StringOrNumber(this JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };
}
