using McpCqrs.Application.Mcp.Context;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Resources;

/// <summary>Which sessions subscribed to which resource URIs.</summary>
public interface IResourceSubscriptions
{
    /// <summary>
    /// Subscribes the session to <paramref name="uri"/>; false (and nothing changes) when the session holds
    /// <paramref name="maxPerSession"/> other subscriptions already. Subscribing again to a URI always succeeds.
    /// </summary>
    Task<bool> SubscribeAsync(string sessionId, string uri, int maxPerSession, CancellationToken cancellationToken);

    Task UnsubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken);

    Task<IReadOnlyCollection<string>> SubscribersAsync(string uri, CancellationToken cancellationToken);

    Task RemoveSessionAsync(string sessionId, CancellationToken cancellationToken);
}

/// <summary>Something else that wants to hear of resource updates (e.g. the stateless era's listen streams).</summary>
public interface IResourceUpdateListener
{
    ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken);
}

/// <summary>
/// Tells subscribed clients that a resource changed (<c>notifications/resources/updated</c>). Handlers of
/// commands that change what a resource shows call it after saving.
/// </summary>
public interface IResourceNotifier
{
    ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default);
}

internal sealed class ResourceNotifier(IResourceSubscriptions subscriptions, IMcpNotifier notifier, IEnumerable<IResourceUpdateListener> listeners) : IResourceNotifier
{
    public async ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default)
    {
        foreach (var listener in listeners)
        {
            await listener.ResourceUpdatedAsync(uri, cancellationToken);
        }

        foreach (var session in await subscriptions.SubscribersAsync(uri, cancellationToken))
        {
            if (!await notifier.NotifyAsync(
                    session,
                    new JsonRpcNotification
                    {
                        Method = NotificationMethods.ResourceUpdatedNotification,
                        Params = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri },
                    },
                    cancellationToken))
            {
                // The session is gone: its entry under this URI goes even if its own list already expired.
                await subscriptions.UnsubscribeAsync(session, uri, cancellationToken);
                await subscriptions.RemoveSessionAsync(session, cancellationToken);
            }
        }
    }
}
