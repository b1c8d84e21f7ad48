using System.Collections.Concurrent;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Listen;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Tasks;

/// <summary>2025-11-25 status notifications to the session that created a task (real store on SQLite in memory).</summary>
public sealed class TaskNotificationsTests : IAsyncLifetime
{
    private readonly LocalMcpTaskEvents _events = new();
    private readonly RecordingNotifier _notifier = new();
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;
    private TaskNotifications _notifications = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _services = new ServiceCollection()
            .AddScoped<IMcpTaskStore>(_ => new EfMcpTaskStore(_database.NewContext(), TimeProvider.System))
            .BuildServiceProvider();
        _notifications = new TaskNotifications(_events, new ListenStreams(), _services.GetRequiredService<IServiceScopeFactory>(), _notifier, NullLogger<TaskNotifications>.Instance);
        _notifications.Start();
    }

    public async Task DisposeAsync()
    {
        _notifications.Dispose();
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<T> WithStore<T>(Func<IMcpTaskStore, Task<T>> use)
    {
        await using var scope = _services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<IMcpTaskStore>());
    }

    [Fact]
    public async Task A_change_after_tracking_reaches_the_session()
    {
        var task = await WithStore(s => s.CreateAsync(new McpTaskDraft("alice", "work", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));
        _notifications.Track(task, "session-1");

        await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, """{"content":[]}""", null, default));
        await _events.PublishAsync(task.TaskId, default);

        var (session, notification) = await _notifier.NextAsync();
        Assert.Equal("session-1", session);
        Assert.Equal("completed", notification.Params!["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The creating call tracks its task only after the task was handed to the worker: a quick task can finish (and
    /// announce it) in between, when no session is known yet. Tracking must still tell the session how it ended.
    /// </summary>
    [Fact]
    public async Task A_task_that_ended_before_its_creating_call_tracked_it_is_still_told_to_the_session()
    {
        var task = await WithStore(s => s.CreateAsync(new McpTaskDraft("alice", "work", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));
        await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, """{"content":[]}""", null, default));
        await _events.PublishAsync(task.TaskId, default);

        _notifications.Track(task, "session-1");

        var (session, notification) = await _notifier.NextAsync();
        Assert.Equal("session-1", session);
        Assert.Equal(task.TaskId, notification.Params!["taskId"]!.GetValue<string>());
        Assert.Equal("completed", notification.Params!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_tracked_before_any_change_gets_no_notification_at_tracking()
    {
        var task = await WithStore(s => s.CreateAsync(new McpTaskDraft("alice", "work", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));
        _notifications.Track(task, "session-1");
        var other = await WithStore(s => s.CreateAsync(new McpTaskDraft("alice", "work", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));
        _notifications.Track(other, "session-1");
        await WithStore(s => s.TryTransitionAsync(other.TaskId, McpTaskStatus.Completed, null, """{"content":[]}""", null, default));
        await _events.PublishAsync(other.TaskId, default);

        // The first notification is the other task's completion: tracking alone announced nothing.
        var (_, notification) = await _notifier.NextAsync();
        Assert.Equal(other.TaskId, notification.Params!["taskId"]!.GetValue<string>());
    }

    private sealed class RecordingNotifier : IMcpNotifier
    {
        private readonly BlockingCollection<(string Session, JsonRpcNotification Notification)> _sent = [];

        public ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default)
        {
            _sent.Add((sessionId, notification), cancellationToken);
            return ValueTask.FromResult(true);
        }

        public ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async Task<(string Session, JsonRpcNotification Notification)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await Task.Run(() => _sent.Take(timeout.Token), timeout.Token);
        }
    }
}
