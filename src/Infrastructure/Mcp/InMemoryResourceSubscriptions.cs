using System.Collections.Concurrent;
using McpCqrs.Application.Mcp.Resources;

namespace McpCqrs.Infrastructure.Mcp;

/// <summary>Resource subscriptions of a single instance, in process memory.</summary>
public sealed class InMemoryResourceSubscriptions : IResourceSubscriptions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byUri = new(StringComparer.Ordinal);

    public Task SubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken)
    {
        _byUri.GetOrAdd(uri, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[sessionId] = 0;
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken)
    {
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
        foreach (var sessions in _byUri.Values)
        {
            sessions.TryRemove(sessionId, out _);
        }

        return Task.CompletedTask;
    }
}
