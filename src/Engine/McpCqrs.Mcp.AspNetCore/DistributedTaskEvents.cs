using McpCqrs.Mcp.Streams;
using McpCqrs.Mcp.Tasks;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// With several instances: a task change is published on Redis, and every instance wakes its own waiters and
/// subscribers — a <c>tasks/update</c> on B reaches the handler waiting on A at once, a cancel on B stops the
/// handler on A, and a listen stream on B hears a task that A runs. Publishing also delivers locally at once;
/// an instance skips its own echo. If Redis is down, waiters still wake by their timeout and read the store.
/// </summary>
internal sealed class DistributedTaskEvents : LocalMcpTaskEvents, IHostedService, IAsyncDisposable
{
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly BroadcastRelay _relay;
    private readonly ILogger<DistributedTaskEvents> _logger;

    public DistributedTaskEvents(IMcpBroadcast broadcast, ILogger<DistributedTaskEvents> logger)
    {
        _logger = logger;
        _relay = new BroadcastRelay(broadcast, "task-changed", OnMessage, logger);
    }

    public override async ValueTask PublishAsync(string taskId, CancellationToken cancellationToken)
    {
        Deliver(taskId);

        // The change is in the store already (so the caller's token no longer concerns it); should Redis fail, other
        // instances see it when their waiters time out.
        await Announcements.TryAsync(Announcements.TaskChanged, taskId, async () => await _relay.PublishAsync($"{_origin} {taskId}", CancellationToken.None), _logger);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _relay.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private ValueTask OnMessage(string payload)
    {
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && !payload.AsSpan(0, space).SequenceEqual(_origin))
        {
            Deliver(payload[(space + 1)..]);
        }

        return ValueTask.CompletedTask;
    }
}
