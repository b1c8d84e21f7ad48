using System.Text.Json;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using Mediator;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// Starts a tool call as a task, for <c>tools/call</c> and for REST alike: the bound request goes through the
/// pipeline up to <see cref="Behaviors.TaskAdmissionBehavior{TMessage, TResponse}"/> (authorization, rate limit, validation
/// and the request's <see cref="McpTaskAdmission{TRequest}"/> run now, and their refusals reach the caller), then the
/// task is committed — with its lease and the answers given so far — and handed to this instance's worker. An owner
/// who already has <see cref="McpLimitsOptions.MaxLiveTasksPerOwner"/> tasks that have not ended is refused first
/// (<see cref="McpLimitExceededException"/>), before anything runs or is written; the bound is checked again, atomically,
/// with the insert, so parallel calls cannot pass it together.
/// </summary>
public sealed class McpTaskLauncher(ISender sender, IServiceProvider services)
{
    public async Task<McpTaskRecord> StartAsync(
        ToolBinding binding,
        object request,
        IDictionary<string, JsonElement>? arguments,
        McpRequestContext context,
        IMcpTaskQueue queue,
        CancellationToken cancellationToken)
    {
        var store = (IMcpTaskStore?)services.GetService(typeof(IMcpTaskStore))
            ?? throw new InvalidOperationException("No task store is registered (UseEntityFrameworkCore): tools cannot run as tasks.");
        var owner = TaskRules.OwnerOf(services.GetService(typeof(ICurrentUser)) as ICurrentUser);
        var max = queue.MaxLiveTasksPerOwner;
        if (await store.CountLiveAsync(owner, cancellationToken) >= max)
        {
            throw TooManyTasks(max);
        }

        var admission = new TaskAdmission();
        context.Admission = admission;
        try
        {
            // The admission is part of the creating call, so it has the call's dispatch timeout; the task's run has none.
            _ = await Methods.BoundRequests.SendAsync(binding.Invoker, request, services, sender, Methods.BoundRequests.For(binding, services), cancellationToken);
        }
        finally
        {
            context.Admission = null;
        }

        if (!admission.Admitted)
        {
            throw new InvalidOperationException($"The request of tool '{binding.Name}' did not reach the task gate: is TaskAdmissionBehavior in the pipeline?");
        }

        var options = queue.Options;
        var ttl = context.TaskOptIn?.RequestedTtl is { } asked && asked > TimeSpan.Zero
            ? (asked < options.MaxTtl ? asked : options.MaxTtl)
            : options.DefaultTtl;
        var draft = new McpTaskDraft(
            owner,
            binding.Name,
            JsonSerializer.Serialize(arguments ?? new Dictionary<string, JsonElement>()),
            ttl,
            options.PollInterval,
            queue.Worker,
            ((services.GetService(typeof(TimeProvider)) as TimeProvider) ?? TimeProvider.System).GetUtcNow().UtcDateTime + options.LeaseDuration,
            // Only the answers to what was asked before the task: a key the server never asked is not kept (it could
            // otherwise answer, in advance, a question the task asks later).
            context.InputResponses?
                .Where(a => a.Value is not null && context.AnsweredKeys.Contains(a.Key))
                .ToDictionary(a => a.Key, a => a.Value!.ToJsonString(), StringComparer.Ordinal));
        // Counted again with the insert: parallel calls that all passed the first look cannot all be created.
        var task = await store.TryCreateAsync(draft, max, cancellationToken) ?? throw TooManyTasks(max);
        McpTaskMetrics.Created(binding.Name);
        if (!queue.TryEnqueue(task, context.ClientCapabilities))
        {
            await store.TryTransitionAsync(task.TaskId, McpTaskStatus.Failed, "The server is shutting down.", null, McpTaskWire.ErrorJson((int)McpErrorCode.InternalError, "The server is shutting down; try again."), cancellationToken);
            throw new McpProtocolException("The server is shutting down; try again.", McpErrorCode.InternalError);
        }

        return task;
    }

    private static McpLimitExceededException TooManyTasks(int max) => McpLimitExceededException.Of(
        nameof(McpLimitsOptions.MaxLiveTasksPerOwner),
        max,
        $"You already have {max} tasks that have not ended; wait for one to end (or cancel one) before starting another.");
}
