using McpCqrs.Mcp.Listen;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// <see cref="IMcpNotifier"/>: stores the notification as the next event of the session's GET stream (so it can be
/// replayed) and publishes it to whichever connection holds that stream. A broadcast reaches the streams of every
/// instance: with Redis it travels to each instance (<see cref="DistributedBroadcasts"/>), which tells its own.
/// </summary>
internal sealed class McpNotifier(StreamNotifications streams, DistributedBroadcasts? distributed = null) : IMcpNotifier
{
    public ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default) =>
        streams.NotifyAsync(sessionId, JsonRpcWire.Message(notification), cancellationToken);

    /// <summary>Tells every session with a GET stream on any instance, each on its own (best-effort, see <see cref="Announcements"/>).</summary>
    public async ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default)
    {
        var message = JsonRpcWire.Message(notification);
        if (distributed is null)
        {
            await streams.BroadcastAsync(notification.Method, message, cancellationToken);
        }
        else
        {
            await distributed.PublishAsync(notification.Method, message, cancellationToken);
        }
    }
}

/// <summary>The notifications of the session streams this instance serves.</summary>
internal sealed class StreamNotifications(ISessionStore sessions, ISseReplayBuffer replay, ISseBroker broker, OpenStreams openStreams, ILogger<StreamNotifications> logger)
{
    /// <summary>
    /// Sessions told at once by a broadcast: with Redis each is a few round trips, which one after the other would
    /// make a broadcast to thousands of streams take seconds; in memory each completes at once and this changes nothing.
    /// </summary>
    private const int ConcurrentDeliveries = 64;

    /// <summary>Appends <paramref name="message"/> to the session's GET stream and publishes it; false when the session does not exist.</summary>
    public async ValueTask<bool> NotifyAsync(string sessionId, string message, CancellationToken cancellationToken)
    {
        // A notification does not count as the client using its session (it must not keep it from expiring).
        if (!await sessions.ExistsAsync(sessionId, cancellationToken))
        {
            return false;
        }

        var sseEvent = await replay.AppendAsync(sessionId, SseEvent.GetStream, message, cancellationToken);
        await broker.PublishAsync(sessionId, SseEvent.GetStream, sseEvent, cancellationToken);
        return true;
    }

    /// <summary>
    /// Tells every session whose stream this instance serves, each on its own (best-effort): a session's failure is
    /// logged and counted and the others are still told. Returns when all have been told, so the next broadcast
    /// follows this one on every stream.
    /// </summary>
    public async Task BroadcastAsync(string method, string message, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(ConcurrentDeliveries);
        List<Task>? running = null;
        foreach (var sessionId in openStreams.Sessions)
        {
            await slots.WaitAsync(cancellationToken);
            var delivery = TellAsync(sessionId);
            if (!delivery.IsCompleted)
            {
                (running ??= []).Add(delivery);
            }
        }

        if (running is not null)
        {
            await Task.WhenAll(running);
        }

        async Task TellAsync(string sessionId)
        {
            try
            {
                await Announcements.TryAsync(Announcements.ListChanged, method, async () => await NotifyAsync(sessionId, message, cancellationToken), logger);
            }
            finally
            {
                slots.Release();
            }
        }
    }
}

/// <summary>
/// With several instances: a broadcast is published on Redis and every instance (the sender too) tells the streams
/// it serves, one broadcast after the other in publish order.
/// </summary>
internal sealed class DistributedBroadcasts : IHostedService, IAsyncDisposable
{
    private readonly BroadcastRelay _relay;
    private readonly ILogger _logger;

    public DistributedBroadcasts(IMcpBroadcast broadcast, StreamNotifications local, ILogger<DistributedBroadcasts> logger)
    {
        _logger = logger;
        _relay = new BroadcastRelay(broadcast, "stream-broadcast", payload =>
        {
            // {method}\n{message}: the method names the broadcast in a failure's log line.
            var split = payload.IndexOf('\n', StringComparison.Ordinal);
            return split < 0 ? ValueTask.CompletedTask : new(local.BroadcastAsync(payload[..split], payload[(split + 1)..], CancellationToken.None));
        }, logger);
    }

    public async ValueTask PublishAsync(string method, string message, CancellationToken cancellationToken) =>
        await Announcements.TryAsync(Announcements.ListChanged, method, async () => await _relay.PublishAsync(method + "\n" + message, cancellationToken), _logger);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _relay.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public ValueTask DisposeAsync() => _relay.DisposeAsync();
}

/// <summary>
/// Tells connected clients when tools are added or removed at run time. Each instance's catalog changes on its own,
/// so each tells only the streams it serves (through Redis every session would hear it once per instance).
/// </summary>
internal sealed class CatalogChangeNotifier(McpCatalog catalog, StreamNotifications streams, ListenStreams listeners, ILogger<CatalogChangeNotifier> logger) : IHostedService
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
        await Announcements.TryAsync(
            Announcements.ListChanged,
            method,
            async () => await streams.BroadcastAsync(method, JsonRpcWire.Message(new JsonRpcNotification { Method = method }), CancellationToken.None),
            logger);
    }
}
