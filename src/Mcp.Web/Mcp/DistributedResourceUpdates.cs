using McpCqrs.Application.Mcp.Resources;
using McpCqrs.Infrastructure.Mcp;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// With several instances: a resource update is published on Redis, and every instance hands it to its own
/// <c>subscriptions/listen</c> streams. (Session subscriptions already travel through the shared store and broker.)
/// The subscription is made in the background and retried while Redis is unreachable, so an outage delays it
/// without stopping the host.
/// </summary>
internal sealed partial class DistributedResourceUpdates(RedisBroadcast broadcast, ListenStreams local, ILogger<DistributedResourceUpdates> logger)
    : IResourceUpdateListener, IHostedService, IAsyncDisposable
{
    private const string Channel = "resource-updated";
    private readonly CancellationTokenSource _stopping = new();
    private IAsyncDisposable? _subscription;
    private Task? _subscribing;

    public async ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken) =>
        await broadcast.PublishAsync(Channel, uri, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscribing = Task.Run(SubscribeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_subscribing is { } subscribing)
        {
            await subscribing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                _subscription = await broadcast.SubscribeAsync(Channel, uri => local.ResourceUpdatedAsync(uri, CancellationToken.None), _stopping.Token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(2), _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot subscribe to resource updates on Redis yet; retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception);
}
