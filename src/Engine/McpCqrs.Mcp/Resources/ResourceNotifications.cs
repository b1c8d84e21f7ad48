using McpCqrs.Mcp.Context;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Resources;

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
/// commands that change what a resource shows call it after saving. It never throws: an update that cannot be
/// announced is logged and counted (see <see cref="Announcements"/>).
/// </summary>
public interface IResourceNotifier
{
    ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default);
}

/// <summary>
/// Tells every listener and every subscribed session, each on its own: a listener or session that cannot be told
/// (Redis down, a session gone) is logged and counted by <see cref="Announcements"/> and the others are still told;
/// nothing is thrown (the change it announces is committed).
/// </summary>
internal sealed class ResourceNotifier(
    IResourceSubscriptions subscriptions,
    IMcpNotifier notifier,
    IEnumerable<IResourceUpdateListener> listeners,
    ILogger<ResourceNotifier> logger) : IResourceNotifier
{
    public async ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default)
    {
        foreach (var listener in listeners)
        {
            await Announcements.TryAsync(Announcements.ResourceUpdated, uri, () => listener.ResourceUpdatedAsync(uri, cancellationToken), logger);
        }

        IReadOnlyCollection<string> sessions = [];
        await Announcements.TryAsync(Announcements.ResourceUpdated, uri, async () => sessions = await subscriptions.SubscribersAsync(uri, cancellationToken), logger);
        foreach (var session in sessions)
        {
            await Announcements.TryAsync(Announcements.ResourceUpdated, uri, () => NotifyAsync(session, uri, cancellationToken), logger);
        }
    }

    private async ValueTask NotifyAsync(string session, string uri, CancellationToken cancellationToken)
    {
        var notification = new JsonRpcNotification
        {
            Method = NotificationMethods.ResourceUpdatedNotification,
            Params = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri },
        };
        if (!await notifier.NotifyAsync(session, notification, cancellationToken))
        {
            // The session is gone: its entry under this URI goes even if its own list already expired.
            await subscriptions.UnsubscribeAsync(session, uri, cancellationToken);
            await subscriptions.RemoveSessionAsync(session, cancellationToken);
        }
    }
}
