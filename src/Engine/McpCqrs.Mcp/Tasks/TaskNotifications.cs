using McpCqrs.Mcp.Listen;
using System.Collections.Concurrent;
using McpCqrs.Mcp.Context;
using ModelContextProtocol.Protocol;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// Pushes task changes to clients that asked for them: 2026-07-28, <c>notifications/tasks</c> (the DetailedTask, as
/// <c>tasks/get</c> shows it) on this instance's <c>subscriptions/listen</c> streams that named the task; 2025-11-25,
/// <c>notifications/tasks/status</c> (the Task) to the session that created it, through the notifier (which reaches
/// the session's stream on any instance). Changes arrive through <see cref="IMcpTaskEvents"/> — from every instance
/// when Redis relays them — and each is read from the store, so a notification always shows the stored state.
/// </summary>
public sealed class TaskNotifications(
    IMcpTaskEvents events,
    ListenStreams listeners,
    IServiceScopeFactory scopes,
    IMcpNotifier notifier,
    ILogger<TaskNotifications> logger) : IMcpTaskWatchers, IDisposable
{
    private readonly ConcurrentDictionary<string, (string SessionId, string Owner)> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _sent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();
    private IDisposable? _subscription;

    /// <summary>How many of the latest changed task ids are remembered for <see cref="Track"/> to catch up on.</summary>
    private const int RecentCapacity = 4096;

    /// <summary>
    /// 2025-11-25: the session that created <paramref name="task"/> hears of its changes. The creating call tracks its
    /// task only after the worker has it, so a quick task may already have changed (even ended) with no session to
    /// tell: such a task is read once more now, and the session hears its current state.
    /// </summary>
    public void Track(McpTaskRecord task, string sessionId)
    {
        // Registered before looking for an earlier change, as a change is remembered before its session is looked up:
        // either the change finds the session or this finds the change (or both; the revision check sends it once).
        _sessions[task.TaskId] = (sessionId, task.Owner);
        if (_recent.ContainsKey(task.TaskId))
        {
            _ = ChangedAsync(task.TaskId);
        }
    }

    /// <summary>Starts hearing task changes (the host calls it once at start-up; <see cref="Dispose"/> stops).</summary>
    public void Start() => _subscription ??= events.Subscribe(taskId => _ = ChangedAsync(taskId));

    public void Dispose() => Interlocked.Exchange(ref _subscription, null)?.Dispose();

    /// <summary>
    /// Tells each listen stream and the creating session of the change, each on its own (best-effort, see
    /// <see cref="Announcements"/>): one that cannot be told does not keep the others from hearing it.
    /// </summary>
    private async Task ChangedAsync(string taskId)
    {
        Remember(taskId);
        var watchers = listeners.TaskWatchers(taskId);
        var session = _sessions.TryGetValue(taskId, out var s) ? s : default((string SessionId, string Owner)?);
        if (watchers.Count == 0 && session is null)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<IMcpTaskStore>() is not { } store)
        {
            return;
        }

        foreach (var owner in watchers)
        {
            await Announcements.TryAsync(Announcements.TaskChanged, taskId, () => TellListenersAsync(store, taskId, owner), logger);
        }

        if (session is { } target)
        {
            await Announcements.TryAsync(Announcements.TaskChanged, taskId, () => TellSessionAsync(store, taskId, target.SessionId, target.Owner), logger);
        }
    }

    private async ValueTask TellListenersAsync(IMcpTaskStore store, string taskId, string owner)
    {
        if (await store.FindAsync(taskId, owner, CancellationToken.None) is { } task && FirstToSee($"listen\n{owner}\n{taskId}", task.Revision))
        {
            listeners.TaskChanged(taskId, owner, McpTaskWire.Detailed(task, await store.PendingInputAsync(taskId, CancellationToken.None)));
            if (McpTaskRecord.IsTerminal(task.Status))
            {
                Forget($"listen\n{owner}\n{taskId}");
            }
        }
    }

    private async ValueTask TellSessionAsync(IMcpTaskStore store, string taskId, string sessionId, string owner)
    {
        if (await store.FindAsync(taskId, owner, CancellationToken.None) is { } task && FirstToSee($"session\n{taskId}", task.Revision))
        {
            await notifier.NotifyAsync(sessionId, new JsonRpcNotification { Method = McpTaskMethods.SessionStatusNotification, Params = McpTaskWire.Task(task, McpEra.Session) });
            if (McpTaskRecord.IsTerminal(task.Status))
            {
                _sessions.TryRemove(taskId, out _);
                Forget($"session\n{taskId}");
            }
        }
    }

    /// <summary>Keeps <paramref name="taskId"/> among the <see cref="RecentCapacity"/> latest changed tasks.</summary>
    private void Remember(string taskId)
    {
        if (_recent.TryAdd(taskId, 0))
        {
            _recentOrder.Enqueue(taskId);
            while (_recentOrder.Count > RecentCapacity && _recentOrder.TryDequeue(out var oldest))
            {
                _recent.TryRemove(oldest, out _);
            }
        }
    }

    /// <summary>
    /// A finished task never changes again; its last revision is kept a minute longer, so a slower read of an earlier
    /// state (handled beside it) cannot follow the final one.
    /// </summary>
    private void Forget(string key) =>
        _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => _sent.TryRemove(key, out long _), TaskScheduler.Default);

    /// <summary>
    /// Whether <paramref name="revision"/> is newer than what was last sent under <paramref name="key"/>: events are
    /// handled side by side and may repeat or cross, and a client must never see a task go back in time.
    /// </summary>
    private bool FirstToSee(string key, long revision)
    {
        while (true)
        {
            if (!_sent.TryGetValue(key, out var last))
            {
                if (_sent.TryAdd(key, revision))
                {
                    return true;
                }
            }
            else if (last >= revision)
            {
                return false;
            }
            else if (_sent.TryUpdate(key, revision, last))
            {
                return true;
            }
        }
    }
}
