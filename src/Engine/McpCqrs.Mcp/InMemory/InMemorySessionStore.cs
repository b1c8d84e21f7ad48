using System.Collections.Concurrent;
using McpCqrs.Mcp.Sessions;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.InMemory;

/// <summary>Sessions of a single instance, in process memory; expired ones are dropped when met.</summary>
public sealed class InMemorySessionStore(IOptions<McpSessionOptions> options, TimeProvider clock) : ISessionStore
{
    private static readonly TimeSpan TouchGranularity = TimeSpan.FromSeconds(1);

    /// <summary>Each session as the completed task <see cref="GetAsync"/> answers with: a read allocates nothing.</summary>
    private readonly ConcurrentDictionary<string, Task<McpSession?>> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OwnedSessions> _owners = new(StringComparer.Ordinal);
    private long _nextSweep;

    public Task CreateAsync(McpSession session, CancellationToken cancellationToken)
    {
        Sweep();
        if (!_sessions.TryAdd(session.Id, Stored(session)))
        {
            throw new InvalidOperationException("A session with this id exists already.");
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryCreateAsync(McpSession session, string owner, int maxPerOwner, CancellationToken cancellationToken)
    {
        SweepNowAndThen();
        while (true)
        {
            var owned = _owners.GetOrAdd(owner, _ => new OwnedSessions());
            lock (owned)
            {
                if (owned.Dropped)
                {
                    continue;
                }

                var now = clock.GetUtcNow();
                owned.Ids.RemoveWhere(id => !IsLive(id, now));
                if (owned.Ids.Count >= maxPerOwner)
                {
                    return Task.FromResult(false);
                }

                if (!_sessions.TryAdd(session.Id, Stored(session)))
                {
                    throw new InvalidOperationException("A session with this id exists already.");
                }

                owned.Ids.Add(session.Id);
                return Task.FromResult(true);
            }
        }
    }

    public Task<McpSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        while (_sessions.TryGetValue(id, out var stored))
        {
            var session = stored.Result!;
            var now = clock.GetUtcNow();
            if (IsExpired(session, now))
            {
                _sessions.TryRemove(new KeyValuePair<string, Task<McpSession?>>(id, stored));
                return Missing;
            }

            // The idle clock moves in whole seconds: a busy session is not rewritten on every request (all of its
            // concurrent requests would contend for the one entry).
            if (now - session.LastSeenAt < TouchGranularity)
            {
                return stored;
            }

            var touched = Stored(session with { LastSeenAt = now });
            if (_sessions.TryUpdate(id, touched, stored))
            {
                return touched;
            }
        }

        return Missing;
    }

    public Task<bool> ExistsAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(id, out var stored) && !IsExpired(stored.Result!, clock.GetUtcNow()));

    public Task<bool> UpdateAsync(McpSession session, CancellationToken cancellationToken)
    {
        while (_sessions.TryGetValue(session.Id, out var current))
        {
            if (IsExpired(current.Result!, clock.GetUtcNow()))
            {
                _sessions.TryRemove(new KeyValuePair<string, Task<McpSession?>>(session.Id, current));
                return Task.FromResult(false);
            }

            if (_sessions.TryUpdate(session.Id, Stored(session with { LastSeenAt = clock.GetUtcNow() }), current))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryRemove(id, out var stored) && !IsExpired(stored.Result!, clock.GetUtcNow()));

    public Task<long> CountAsync(CancellationToken cancellationToken)
    {
        Sweep();
        return Task.FromResult((long)_sessions.Count);
    }

    private bool IsExpired(McpSession session, DateTimeOffset now) =>
        now - session.LastSeenAt > options.Value.IdleTimeout || now - session.CreatedAt > options.Value.MaxAge;

    private bool IsLive(string id, DateTimeOffset now) => _sessions.TryGetValue(id, out var stored) && !IsExpired(stored.Result!, now);

    private static readonly Task<McpSession?> Missing = Task.FromResult<McpSession?>(null);

    private static Task<McpSession?> Stored(McpSession session) => Task.FromResult<McpSession?>(session);

    /// <summary>
    /// <see cref="Sweep"/>, at most once a second: a sweep walks every session, and a server opening thousands of
    /// sessions a second must not walk them all for each. Nothing depends on it for correctness (an expired session
    /// reads as missing); it only gives the memory back.
    /// </summary>
    private void SweepNowAndThen()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextSweep);
        if (now >= due && Interlocked.CompareExchange(ref _nextSweep, now + TimeSpan.TicksPerSecond, due) == due)
        {
            Sweep();
        }
    }

    private void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (id, stored) in _sessions)
        {
            if (IsExpired(stored.Result!, now))
            {
                _sessions.TryRemove(new KeyValuePair<string, Task<McpSession?>>(id, stored));
            }
        }

        // An owner whose sessions all ended is forgotten, so callers that come once leave nothing behind.
        foreach (var (owner, owned) in _owners)
        {
            lock (owned)
            {
                owned.Ids.RemoveWhere(id => !IsLive(id, now));
                if (owned.Ids.Count == 0)
                {
                    owned.Dropped = true;
                    _owners.TryRemove(new KeyValuePair<string, OwnedSessions>(owner, owned));
                }
            }
        }
    }

    /// <summary>The sessions one owner opened (some may have ended since: they are dropped when counted).</summary>
    private sealed class OwnedSessions
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public bool Dropped { get; set; }
    }
}
