using McpCqrs.Mcp.Streams;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// An <see cref="IMcpBroadcast"/> channel that every instance listens on, hosted with the app: the subscription is made
/// in the background and retried while the broadcast (Redis) is unreachable, so an outage delays it without stopping the host.
/// </summary>
internal sealed partial class BroadcastRelay(IMcpBroadcast broadcast, string channel, Func<string, ValueTask> onMessage, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IAsyncDisposable? _subscription;
    private Task? _subscribing;

    public Task PublishAsync(string payload, CancellationToken cancellationToken) => broadcast.PublishAsync(channel, payload, cancellationToken);

    public void Start() => _subscribing = Task.Run(SubscribeAsync, CancellationToken.None);

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
                _subscription = await broadcast.SubscribeAsync(channel, onMessage, _stopping.Token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(logger, ex, channel);
                await Task.Delay(TimeSpan.FromSeconds(2), _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot subscribe to the broadcast channel {Channel} yet; retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception, string channel);
}
