using McpCqrs.Application.Mcp.Listen;
using McpCqrs.Application.Mcp.Dispatch;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Mcp.Streams;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// <see cref="IMcpNotifier"/>: stores the notification as the next event of the session's GET stream (so it can be
/// replayed) and publishes it to whichever connection holds that stream.
/// </summary>
internal sealed class McpNotifier(ISessionStore sessions, ISseReplayBuffer replay, ISseBroker broker, OpenStreams openStreams, ILogger<McpNotifier> logger) : IMcpNotifier
{
    public async ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default)
    {
        // A notification does not count as the client using its session (it must not keep it from expiring).
        if (!await sessions.ExistsAsync(sessionId, cancellationToken))
        {
            return false;
        }

        var sseEvent = await replay.AppendAsync(sessionId, SseEvent.GetStream, JsonRpcWire.Message(notification), cancellationToken);
        await broker.PublishAsync(sessionId, SseEvent.GetStream, sseEvent, cancellationToken);
        return true;
    }

    /// <summary>Tells every session whose stream this instance serves, each on its own (best-effort, see <see cref="Announcements"/>).</summary>
    public async ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default)
    {
        foreach (var sessionId in openStreams.Sessions)
        {
            await Announcements.TryAsync(Announcements.ListChanged, notification.Method, async () => await NotifyAsync(sessionId, notification, cancellationToken), logger);
        }
    }
}

/// <summary>Tells connected clients when tools are added or removed at run time.</summary>
internal sealed class CatalogChangeNotifier(McpCatalog catalog, IMcpNotifier notifier, ListenStreams listeners, ILogger<CatalogChangeNotifier> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        catalog.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        catalog.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private async void OnChanged(object? sender, CatalogChangedEventArgs e)
    {
        var method = e.Kind switch
        {
            CatalogKind.Resources => NotificationMethods.ResourceListChangedNotification,
            CatalogKind.Prompts => NotificationMethods.PromptListChangedNotification,
            _ => NotificationMethods.ToolListChangedNotification,
        };
        await Announcements.TryAsync(Announcements.ListChanged, method, () => { listeners.ListChanged(e.Kind); return ValueTask.CompletedTask; }, logger);
        await Announcements.TryAsync(Announcements.ListChanged, method, () => notifier.BroadcastAsync(new JsonRpcNotification { Method = method }), logger);
    }
}
