using System.Text.Json.Nodes;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Methods;
using Mediator;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Tasks;

/// <summary>The method names of tasks (both revisions; <c>tasks/result</c> and <c>tasks/list</c> only in 2025-11-25).</summary>
public static class McpTaskMethods
{
    public const string Get = "tasks/get";
    public const string Update = "tasks/update";
    public const string Cancel = "tasks/cancel";
    public const string Result = "tasks/result";
    public const string List = "tasks/list";
    public const string SessionStatusNotification = "notifications/tasks/status";
    public const string StatelessStatusNotification = "notifications/tasks";
}

/// <summary><c>tasks/get</c>: the caller's task as the request's revision shows it.</summary>
public sealed record McpGetTask(string TaskId) : IMcpMethod<JsonObject>;

/// <summary><c>tasks/update</c> (2026-07-28): answers to the task's input requests.</summary>
public sealed record McpUpdateTask(string TaskId, IReadOnlyDictionary<string, JsonNode?> InputResponses) : IMcpMethod<JsonObject>;

/// <summary><c>tasks/cancel</c>.</summary>
public sealed record McpCancelTask(string TaskId) : IMcpMethod<JsonObject>;

/// <summary><c>tasks/result</c> (2025-11-25): waits for the end of the task and answers with its outcome.</summary>
public sealed record McpTaskResult(string TaskId) : IMcpMethod<JsonObject>;

/// <summary><c>tasks/list</c> (2025-11-25): the caller's tasks, one page at a time.</summary>
public sealed record McpListTasks(string? Cursor) : IMcpMethod<JsonObject>;

/// <summary>REST: starts a task-capable tool as a task (its request is admitted now, as over MCP); answers the task.</summary>
public sealed record StartToolTask(string Tool, IDictionary<string, System.Text.Json.JsonElement>? Arguments) : IMcpMethod<StartedTask>;

/// <summary>A task <see cref="StartToolTask"/> created: its id (for the REST <c>Location</c>) and the task as <c>tasks/get</c> shows it.</summary>
public sealed record StartedTask(string Id, JsonObject Task);

/// <summary>REST: the caller's task as <c>tasks/get</c> shows it in 2026-07-28; an unknown one is a domain not-found.</summary>
public sealed record GetTask(string TaskId) : IQuery<JsonObject>;

/// <summary>REST: cancels the caller's task (idempotent) and answers it.</summary>
public sealed record CancelTask(string TaskId) : ICommand<JsonObject>;

/// <summary>REST: answers the caller's task's input requests (unknown or answered keys are ignored) and answers it.</summary>
public sealed record AnswerTask(string TaskId, IReadOnlyDictionary<string, JsonNode?> InputResponses) : ICommand<JsonObject>;

/// <summary>
/// The <c>tasks/*</c> methods of both revisions over the one task Store. Every call is bound to the caller: another
/// caller's task, an expired one and one that never existed all answer -32602 alike. In 2026-07-28 a request that
/// did not declare the tasks extension is refused with -32021 before any task is looked up.
/// </summary>
public sealed class McpTaskMethodsHandler(IMcpRequestContext context, ICurrentUser user, IServiceProvider services, McpServerInfo server)
    : IMcpMethodHandler<McpGetTask, JsonObject>,
      IMcpMethodHandler<McpUpdateTask, JsonObject>,
      IMcpMethodHandler<McpCancelTask, JsonObject>,
      IMcpMethodHandler<McpTaskResult, JsonObject>,
      IMcpMethodHandler<McpListTasks, JsonObject>,
      IMcpMethodHandler<StartToolTask, StartedTask>,
      IQueryHandler<GetTask, JsonObject>,
      ICommandHandler<CancelTask, JsonObject>,
      ICommandHandler<AnswerTask, JsonObject>
{
    private IMcpTaskStore? _store;
    private IMcpTaskEvents? _events;

    private string Owner => TaskRules.OwnerOf(user);

    /// <summary>The task store; a host without one (and without a worker) has no task methods.</summary>
    private IMcpTaskStore Store => _store ??= services.GetService(typeof(IMcpTaskStore)) as IMcpTaskStore
        ?? throw new McpProtocolException("Method not found: this server runs no tasks.", McpErrorCode.MethodNotFound);

    private IMcpTaskEvents Events => _events ??= services.GetService(typeof(IMcpTaskEvents)) as IMcpTaskEvents
        ?? throw new McpProtocolException("Method not found: this server runs no tasks.", McpErrorCode.MethodNotFound);

    public async ValueTask<JsonObject> Handle(McpGetTask query, CancellationToken cancellationToken)
    {
        var task = await FindAsync(query.TaskId, cancellationToken);
        return context.Era == McpEra.Stateless
            ? McpTaskWire.Detailed(task, await Store.PendingInputAsync(task.TaskId, cancellationToken))
            : McpTaskWire.Task(task, McpEra.Session);
    }

    public async ValueTask<JsonObject> Handle(McpUpdateTask command, CancellationToken cancellationToken)
    {
        if (context.Era != McpEra.Stateless)
        {
            throw new McpProtocolException($"Method not found: '{McpTaskMethods.Update}' (2025-11-25 answers a task's questions through tasks/result).", McpErrorCode.MethodNotFound);
        }

        await AnswerAsync(await FindAsync(command.TaskId, cancellationToken), command.InputResponses, cancellationToken);
        return [];
    }

    /// <summary>Records the answers that fit a pending question (objects only; other keys are ignored) and wakes the task.</summary>
    private async Task AnswerAsync(McpTaskRecord task, IReadOnlyDictionary<string, JsonNode?> responses, CancellationToken cancellationToken)
    {
        var answers = responses
            .Where(a => a.Value is JsonObject)
            .ToDictionary(a => a.Key, a => a.Value!.ToJsonString(), StringComparer.Ordinal);
        if (answers.Count > 0 && (await Store.AnswerAsync(task.TaskId, Owner, answers, cancellationToken)).Count > 0)
        {
            await Events.PublishAsync(task.TaskId, cancellationToken);
        }
    }

    public async ValueTask<JsonObject> Handle(McpCancelTask command, CancellationToken cancellationToken)
    {
        var task = await FindAsync(command.TaskId, cancellationToken);
        if (context.Era != McpEra.Stateless && McpTaskRecord.IsTerminal(task.Status))
        {
            throw new McpProtocolException($"Task '{task.TaskId}' has already ended ({McpTaskWire.StatusName(task.Status)}); it cannot be cancelled.", McpErrorCode.InvalidParams);
        }

        if (!await CancelAsync(task, cancellationToken) && context.Era != McpEra.Stateless)
        {
            throw new McpProtocolException($"Task '{task.TaskId}' has already ended; it cannot be cancelled.", McpErrorCode.InvalidParams);
        }

        return context.Era == McpEra.Stateless ? [] : McpTaskWire.Task(await FindAsync(task.TaskId, cancellationToken), McpEra.Session);
    }

    public async ValueTask<JsonObject> Handle(McpTaskResult query, CancellationToken cancellationToken)
    {
        var task = await FindAsync(query.TaskId, cancellationToken);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        while (!McpTaskRecord.IsTerminal(task.Status))
        {
            if (task.Status == McpTaskStatus.InputRequired && context.Outbound is { } outbound)
            {
                await RelayInputAsync(task.TaskId, outbound, asked, cancellationToken);
            }

            await Events.WaitAsync(task.TaskId, TimeSpan.FromMilliseconds(Math.Max(task.PollIntervalMs, 100)), cancellationToken);
            task = await FindAsync(query.TaskId, cancellationToken);
        }

        var related = new JsonObject { [McpTaskWire.RelatedTaskMeta] = new JsonObject { ["taskId"] = task.TaskId } };
        switch (task.Status)
        {
            case McpTaskStatus.Completed when task.ResultJson is { } json:
                var result = (JsonObject)JsonNode.Parse(json)!;
                var meta = result["_meta"] as JsonObject ?? [];
                meta[McpTaskWire.RelatedTaskMeta] = related[McpTaskWire.RelatedTaskMeta]!.DeepClone();
                result["_meta"] = meta;
                return result;
            case McpTaskStatus.Failed:
                var error = JsonNode.Parse(task.ErrorJson ?? "{}") as JsonObject ?? [];
                var failure = new McpProtocolException(error["message"]?.GetValue<string>() ?? "The task failed.", (McpErrorCode)(error["code"]?.GetValue<int>() ?? (int)McpErrorCode.InternalError));
                failure.Data["relatedTask"] = task.TaskId;
                throw failure;
            default:
                throw new McpProtocolException($"Task '{task.TaskId}' was cancelled; it has no result.", McpErrorCode.InvalidParams);
        }
    }

    public async ValueTask<JsonObject> Handle(McpListTasks query, CancellationToken cancellationToken)
    {
        // Paged by the database: one row more than a page tells whether another page follows.
        var offset = query.Cursor is null ? 0 : ListCursor.Decode(query.Cursor, "tasks");
        var rows = await Store.ListAsync(Owner, offset, server.ListPageSize + 1, cancellationToken);
        var page = rows.Take(server.ListPageSize).ToList();
        var next = rows.Count > server.ListPageSize ? ListCursor.Encode(offset + page.Count, "tasks") : null;
        var list = new JsonArray();
        foreach (var task in page)
        {
            list.Add(McpTaskWire.Task(task, McpEra.Session));
        }

        var result = new JsonObject { ["tasks"] = list };
        if (next is not null)
        {
            result["nextCursor"] = next;
        }

        return result;
    }

    public async ValueTask<StartedTask> Handle(StartToolTask command, CancellationToken cancellationToken)
    {
        var catalog = (Catalog.McpCatalog)services.GetService(typeof(Catalog.McpCatalog))!;
        if (!catalog.TryGetTool(command.Tool, out var binding) || binding.TaskSupport == Catalog.TaskSupport.Forbidden)
        {
            throw new InvalidOperationException($"Tool '{command.Tool}' does not run as a task.");
        }

        var queue = services.GetService(typeof(IMcpTaskQueue)) as IMcpTaskQueue
            ?? throw new InvalidOperationException("This host runs no task worker.");
        var mcp = (McpRequestContext)services.GetService(typeof(McpRequestContext))!;

        // A REST caller answers the task's questions with POST /api/tasks/{id}/input.
        mcp.ClientCapabilities ??= new ModelContextProtocol.Protocol.ClientCapabilities { Elicitation = new ModelContextProtocol.Protocol.ElicitationCapability() };
        var request = Methods.ArgumentBinder.Bind(binding.RequestType, command.Arguments);
        var task = await new McpTaskLauncher((ISender)services.GetService(typeof(ISender))!, services)
            .StartAsync(binding, request, command.Arguments, mcp, queue, cancellationToken);
        return new StartedTask(task.TaskId, McpTaskWire.Detailed(task, new Dictionary<string, string>()));
    }

    public async ValueTask<JsonObject> Handle(GetTask query, CancellationToken cancellationToken) =>
        await DetailedAsync(await FindForRestAsync(query.TaskId, cancellationToken), cancellationToken);

    public async ValueTask<JsonObject> Handle(CancelTask command, CancellationToken cancellationToken)
    {
        await CancelAsync(await FindForRestAsync(command.TaskId, cancellationToken), cancellationToken);
        return await DetailedAsync(await FindForRestAsync(command.TaskId, cancellationToken), cancellationToken);
    }

    public async ValueTask<JsonObject> Handle(AnswerTask command, CancellationToken cancellationToken)
    {
        await AnswerAsync(await FindForRestAsync(command.TaskId, cancellationToken), command.InputResponses, cancellationToken);
        return await DetailedAsync(await FindForRestAsync(command.TaskId, cancellationToken), cancellationToken);
    }

    private async Task<JsonObject> DetailedAsync(McpTaskRecord task, CancellationToken cancellationToken) =>
        McpTaskWire.Detailed(task, await Store.PendingInputAsync(task.TaskId, cancellationToken));

    /// <summary>Cancels the task unless it has ended; true when this call cancelled it.</summary>
    private async Task<bool> CancelAsync(McpTaskRecord task, CancellationToken cancellationToken)
    {
        if (!await Store.RequestCancelAsync(task.TaskId, Owner, cancellationToken))
        {
            return false;
        }

        await Events.PublishAsync(task.TaskId, cancellationToken);
        return true;
    }

    private async Task<McpTaskRecord> FindForRestAsync(string taskId, CancellationToken cancellationToken) =>
        await Store.FindAsync(taskId, Owner, cancellationToken) ?? throw new Exceptions.ApplicationErrorException(new(Exceptions.ApplicationErrorKind.NotFound, "task.not_found", $"Task '{taskId}' was not found."));

    /// <summary>
    /// 2025-11-25: the task's pending questions go to the client as real requests on the <c>tasks/result</c> stream
    /// (each tagged with the task), and its answers are recorded as <c>tasks/update</c> would record them.
    /// </summary>
    private async Task RelayInputAsync(string taskId, IMcpOutbound outbound, HashSet<string> asked, CancellationToken cancellationToken)
    {
        foreach (var (key, json) in await Store.PendingInputAsync(taskId, cancellationToken))
        {
            if (!asked.Add(key) || JsonNode.Parse(json) is not JsonObject request || request["method"]?.GetValue<string>() is not { } method || !ClientRequests.CapabilityOf(method, context.ClientCapabilities).Declared)
            {
                // A question the session's client cannot answer stays pending (the client may cancel the task).
                continue;
            }

            var parameters = request["params"]?.DeepClone() as JsonObject ?? [];
            var meta = parameters["_meta"] as JsonObject ?? [];
            meta[McpTaskWire.RelatedTaskMeta] = new JsonObject { ["taskId"] = taskId };
            parameters["_meta"] = meta;
            var answer = await outbound.RequestAsync(method, parameters, cancellationToken);
            if (answer is JsonObject)
            {
                await Store.AnswerAsync(taskId, Owner, new Dictionary<string, string> { [key] = answer.ToJsonString() }, cancellationToken);
                await Events.PublishAsync(taskId, cancellationToken);
            }
        }
    }

    /// <summary>The caller's task, or -32602 (unknown, expired and foreign look the same); -32021 first in 2026-07-28 without the extension.</summary>
    private async Task<McpTaskRecord> FindAsync(string taskId, CancellationToken cancellationToken)
    {
        if (context.Era == McpEra.Stateless && context.TaskOptIn is null)
        {
            throw TaskRules.RequiresTask();
        }

        return await Store.FindAsync(taskId, Owner, cancellationToken)
            ?? throw new McpProtocolException($"Unknown task: '{taskId}' (it does not exist, has expired, or is not yours).", McpErrorCode.InvalidParams);
    }
}
