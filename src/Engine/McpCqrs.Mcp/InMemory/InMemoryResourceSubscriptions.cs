using System.Collections.Concurrent;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Mcp.InMemory;

/// <summary>
/// Resource subscriptions of a single instance, in process memory: the sessions of each URI, and the URIs of each
/// session (to count them and to remove them with the session).
/// </summary>
public sealed class InMemoryResourceSubscriptions : IResourceSubscriptions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byUri = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HashSet<string>> _bySession = new(StringComparer.Ordinal);

    public Task<bool> SubscribeAsync(string sessionId, string uri, int maxPerSession, CancellationToken cancellationToken)
    {
        var uris = _bySession.GetOrAdd(sessionId, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (uris)
        {
            if (!uris.Contains(uri) && uris.Count >= maxPerSession)
            {
                return Task.FromResult(false);
            }

            uris.Add(uri);
            _byUri.GetOrAdd(uri, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[sessionId] = 0;
        }

        return Task.FromResult(true);
    }

    public Task UnsubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken)
    {
        if (_bySession.TryGetValue(sessionId, out var uris))
        {
            lock (uris)
            {
                uris.Remove(uri);
            }
        }

        if (_byUri.TryGetValue(uri, out var sessions))
        {
            sessions.TryRemove(sessionId, out _);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyCollection<string>> SubscribersAsync(string uri, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<string>>(_byUri.TryGetValue(uri, out var sessions) ? [.. sessions.Keys] : []);

    public Task RemoveSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        _bySession.TryRemove(sessionId, out _);
        foreach (var sessions in _byUri.Values)
        {
            sessions.TryRemove(sessionId, out _);
        }

        return Task.CompletedTask;
    }
}
