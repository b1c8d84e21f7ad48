using System.Collections.Concurrent;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Resources;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>What a <c>subscriptions/listen</c> stream opted in to (task ids: the caller's own tasks only).</summary>
internal sealed record ListenFilter(bool Tools, bool Prompts, bool Resources, IReadOnlySet<string> ResourceUris)
{
    public IReadOnlySet<string> TaskIds { get; init; } = new HashSet<string>();

    /// <summary>The auth context of the listening caller (whose task ids these are).</summary>
    public string Owner { get; init; } = string.Empty;
}

/// <summary>
/// The open <c>subscriptions/listen</c> streams (2026-07-28) of this instance: list changes and resource updates
/// go to the streams that asked for them.
/// </summary>
internal sealed class ListenStreams : IResourceUpdateListener
{
    private readonly ConcurrentDictionary<long, (ListenFilter Filter, Action<JsonRpcNotification> Deliver)> _streams = new();
    private long _next;

    public int Count => _streams.Count;

    public IDisposable Register(ListenFilter filter, Action<JsonRpcNotification> deliver)
    {
        var key = Interlocked.Increment(ref _next);
        _streams[key] = (filter, deliver);
        return new Registration(() => _streams.TryRemove(key, out _));
    }

    public void ListChanged(CatalogKind kind)
    {
        var method = kind switch
        {
            CatalogKind.Resources => NotificationMethods.ResourceListChangedNotification,
            CatalogKind.Prompts => NotificationMethods.PromptListChangedNotification,
            _ => NotificationMethods.ToolListChangedNotification,
        };
        foreach (var (filter, deliver) in _streams.Values)
        {
            if (kind switch { CatalogKind.Tools => filter.Tools, CatalogKind.Prompts => filter.Prompts, _ => filter.Resources })
            {
                deliver(new JsonRpcNotification { Method = method });
            }
        }
    }

    public ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken)
    {
        foreach (var (filter, deliver) in _streams.Values)
        {
            if (filter.ResourceUris.Contains(uri))
            {
                deliver(new JsonRpcNotification { Method = NotificationMethods.ResourceUpdatedNotification, Params = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri } });
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The owners of this instance's streams that watch <paramref name="taskId"/> (normally one).</summary>
    public IReadOnlyList<string> TaskWatchers(string taskId) =>
        [.. _streams.Values.Where(s => s.Filter.TaskIds.Contains(taskId)).Select(s => s.Filter.Owner).Distinct(StringComparer.Ordinal)];

    /// <summary><c>notifications/tasks</c> (the DetailedTask) to the streams of <paramref name="owner"/> that watch the task.</summary>
    public void TaskChanged(string taskId, string owner, System.Text.Json.Nodes.JsonObject detailed)
    {
        foreach (var (filter, deliver) in _streams.Values)
        {
            if (filter.TaskIds.Contains(taskId) && filter.Owner == owner)
            {
                deliver(new JsonRpcNotification { Method = McpCqrs.Application.Mcp.Tasks.McpTaskMethods.StatusNotification, Params = detailed.DeepClone() });
            }
        }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
