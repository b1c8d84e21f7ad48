using System.Collections.Concurrent;
using McpCqrs.Mcp.Dispatch;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>Requests running on this instance, so <c>notifications/cancelled</c> can cancel their handlers.</summary>
public sealed class InFlightRequests
{
    // Every request adds and removes an entry: more lock stripes than the default (one per core) keep them apart.
    private readonly ConcurrentDictionary<(string Session, string Id), CallCancellation> _running = new(concurrencyLevel: 64, capacity: 256);
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
        var cts = new CallCancellation();
        _running[key] = cts;
        if (_stopping)
        {
            cts.CancelFromOutside();
        }

        return new Registration(this, key, cts);
    }

    /// <summary>Cancels the request's handler; false when it is not running here.</summary>
    public bool Cancel(string sessionId, string id)
    {
        // A request finishing meanwhile has disposed its source: then it is not running here.
        return _running.TryGetValue((sessionId, id), out var cts) && TryCancel(cts);
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

    private static bool TryCancel(CallCancellation cts)
    {
        try
        {
            cts.CancelFromOutside();
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

        /// <summary>The request's own token source, on which the dispatch timeout is armed (null for one made elsewhere).</summary>
        internal CallCancellation? Source => cts as CallCancellation;

        public void Dispose()
        {
            if (cts is CallCancellation own)
            {
                owner._running.TryRemove(new KeyValuePair<(string Session, string Id), CallCancellation>(key, own));
            }

            cts.Dispose();
        }
    }
}
