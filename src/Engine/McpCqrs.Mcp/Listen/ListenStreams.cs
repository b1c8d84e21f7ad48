using System.Collections.Concurrent;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Resources;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Listen;

/// <summary>What a <c>subscriptions/listen</c> stream opted in to (task ids: the caller's own tasks only).</summary>
public sealed record ListenFilter(bool Tools, bool Prompts, bool Resources, IReadOnlySet<string> ResourceUris)
{
    public IReadOnlySet<string> TaskIds { get; init; } = new HashSet<string>();

    /// <summary>The auth context of the listening caller (whose task ids these are).</summary>
    public string Owner { get; init; } = string.Empty;
}

/// <summary>
/// The open <c>subscriptions/listen</c> streams (2026-07-28) of this instance: list changes and resource updates
/// go to the streams that asked for them.
/// </summary>
public sealed class ListenStreams : IResourceUpdateListener
{
    private readonly ConcurrentDictionary<long, (ListenFilter Filter, Action<JsonRpcNotification> Deliver)> _streams = new();
    private readonly ConcurrentDictionary<string, int> _perPrincipal = new(StringComparer.Ordinal);
    private long _next;

    public int Count => _streams.Count;

    /// <summary>
    /// Takes one of <paramref name="principal"/>'s <paramref name="max"/> stream places on this instance, given back
    /// when the returned handle is disposed; null when all are taken.
    /// </summary>
    public IDisposable? TryOpen(string principal, int max)
    {
        while (true)
        {
            var open = _perPrincipal.GetOrAdd(principal, 0);
            if (open >= max)
            {
                return null;
            }

            if (_perPrincipal.TryUpdate(principal, open + 1, open))
            {
                return new Registration(() => Close(principal));
            }
        }
    }

    private void Close(string principal)
    {
        while (_perPrincipal.TryGetValue(principal, out var open))
        {
            if (open <= 1 ? _perPrincipal.TryRemove(new KeyValuePair<string, int>(principal, open)) : _perPrincipal.TryUpdate(principal, open - 1, open))
            {
                return;
            }
        }
    }

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
                deliver(new JsonRpcNotification { Method = McpCqrs.Mcp.Tasks.McpTaskMethods.StatelessStatusNotification, Params = detailed.DeepClone() });
            }
        }
    }

    /// <summary>Runs its action once, however often it is disposed.</summary>
    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
