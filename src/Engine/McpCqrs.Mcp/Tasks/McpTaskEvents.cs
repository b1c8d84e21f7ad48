using System.Collections.Concurrent;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// Task change events within one instance: waiters on a task wake at once, subscribers hear every change. With
/// Redis, a subclass relays them between instances; without it, waiters still wake by their
/// timeout and read the store, so nothing depends on an event arriving.
/// </summary>
internal class LocalMcpTaskEvents : IMcpTaskEvents
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Action<string>> _subscribers = new();
    private long _next;

    public virtual ValueTask PublishAsync(string taskId, CancellationToken cancellationToken)
    {
        Deliver(taskId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Wakes this instance's waiters on <paramref name="taskId"/> and tells its subscribers.</summary>
    public void Deliver(string taskId)
    {
        if (_waiters.TryRemove(taskId, out var waiter))
        {
            waiter.TrySetResult();
        }

        foreach (var subscriber in _subscribers.Values)
        {
            subscriber(taskId);
        }
    }

    public async Task WaitAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd(taskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    public IDisposable Subscribe(Action<string> changed)
    {
        var key = Interlocked.Increment(ref _next);
        _subscribers[key] = changed;
        return new Unsubscribe(() => _subscribers.TryRemove(key, out _));
    }

    private sealed class Unsubscribe(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
