using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.Listen;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// With several instances: a resource update is published on Redis, and every instance hands it to its own
/// <c>subscriptions/listen</c> streams. (Session subscriptions already travel through the shared store and broker.)
/// </summary>
internal sealed class DistributedResourceUpdates : IResourceUpdateListener, IHostedService, IAsyncDisposable
{
    private readonly BroadcastRelay _relay;

    public DistributedResourceUpdates(IMcpBroadcast broadcast, ListenStreams local, ILogger<DistributedResourceUpdates> logger) =>
        _relay = new BroadcastRelay(broadcast, "resource-updated", uri => local.ResourceUpdatedAsync(uri, CancellationToken.None), logger);

    public async ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken) => await _relay.PublishAsync(uri, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _relay.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public ValueTask DisposeAsync() => _relay.DisposeAsync();
}
