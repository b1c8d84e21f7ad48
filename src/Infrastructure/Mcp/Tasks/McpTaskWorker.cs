using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Tasks;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Application.Mcp.Context.InputRequest;

namespace McpCqrs.Infrastructure.Mcp.Tasks;

/// <summary>
/// Runs the tasks created on this instance, off the request thread, at most <see cref="McpTaskOptions.MaxConcurrency"/>
/// at a time. While a task runs its lease is renewed and the store is watched for cancellation (made on any
/// instance). On shutdown the worker takes no more work and stops its handlers without writing an outcome: their
/// leases run out and the sweeper (of any instance) marks the tasks failed — commands are not re-run.
/// </summary>
public sealed partial class McpTaskWorker(
    IServiceScopeFactory scopes,
    IOptions<McpTaskOptions> options,
    IMcpTaskEvents events,
    TimeProvider clock,
    ILogger<McpTaskWorker> logger) : BackgroundService, IMcpTaskQueue
{
    private readonly Channel<(McpTaskRecord Task, ActivityContext CreatedBy)> _queue = Channel.CreateUnbounded<(McpTaskRecord, ActivityContext)>(new UnboundedChannelOptions { SingleReader = false });

    public string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public McpTaskOptions Options => options.Value;

    /// <summary>Tasks waiting for a free slot.</summary>
    public int Queued => _queue.Reader.Count;

    public bool TryEnqueue(McpTaskRecord task)
    {
        // Enqueued on the creating request: its span is the one the task's run links to.
        if (!_queue.Writer.TryWrite((task, Activity.Current?.Context ?? default)))
        {
            return false;
        }

        McpTaskMetrics.Queued(1);
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = Math.Max(1, options.Value.MaxConcurrency);
        return Task.WhenAll(Enumerable.Range(0, slots).Select(_ => ConsumeAsync(stoppingToken)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (task, createdBy) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                McpTaskMetrics.Queued(-1);
                await RunAsync(task, stoppingToken, createdBy);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs one task to its end (or until the host stops), renewing its lease and watching for cancellation.</summary>
    public async Task RunAsync(McpTaskRecord task, CancellationToken stoppingToken, ActivityContext createdBy = default)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var watch = WatchAsync(task, running, stoppingToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<McpTaskExecutor>().RunAsync(task, running.Token, createdBy);
            McpTaskMetrics.Finished(outcome, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger, task.TaskId);
        }
        catch (Exception ex)
        {
            // The executor records every outcome itself; this is the store failing underneath it.
            LogRunFailed(logger, ex, task.TaskId);
        }
        finally
        {
            await running.CancelAsync();
            await watch;
        }
    }

    /// <summary>Renews the lease every third of its length and cancels the handler once the task is cancelled (or gone).</summary>
    private async Task WatchAsync(McpTaskRecord task, CancellationTokenSource running, CancellationToken stoppingToken)
    {
        var lease = options.Value.LeaseDuration;
        var renewed = clock.GetUtcNow();
        try
        {
            while (!running.IsCancellationRequested)
            {
                await events.WaitAsync(task.TaskId, options.Value.WatchInterval, running.Token);
                await using var scope = scopes.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<IMcpTaskStore>();
                var current = await store.FindAsync(task.TaskId, task.Owner, running.Token);
                if (current is null || current.CancelRequested || McpTaskRecord.IsTerminal(current.Status))
                {
                    await running.CancelAsync();
                    return;
                }

                if (clock.GetUtcNow() - renewed >= lease / 3)
                {
                    renewed = clock.GetUtcNow();
                    await store.TryLeaseAsync(task.TaskId, Worker, renewed.UtcDateTime + lease, running.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The store is unreachable: without a lease the task would be failed elsewhere, so stop it here too.
            LogWatchFailed(logger, ex, task.TaskId);
            await running.CancelAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} stopped by shutdown; its lease will run out and it will be marked failed")]
    private static partial void LogStopped(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} could not record its outcome")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} lost its store; its handler is stopped")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string taskId);
}

/// <summary>
/// Runs one task's tool call in a fresh scope through the mediator (tracing and resource notifications apply; the
/// gates ran when the task was created) and records the outcome: the tool result (an <c>isError</c> one
/// included) → <c>completed</c>; a JSON-RPC error → <c>failed</c> with it; anything unexpected → <c>failed</c>
/// with -32603 and no details. A cancelled task is left as its cancellation set it.
/// </summary>
public sealed partial class McpTaskExecutor(
    McpRequestContext context,
    ISender sender,
    IMcpTaskStore store,
    IMcpTaskEvents events,
    IOptions<McpTaskOptions> options,
    ILogger<McpTaskExecutor> logger)
{
    /// <param name="task">The task to run.</param>
    /// <param name="cancellationToken">Cancelled when the task is cancelled or the host stops.</param>
    /// <param name="createdBy">The span of the request that created the task: the run is a new trace linked to it.</param>
    public async Task<McpTaskStatus> RunAsync(McpTaskRecord task, CancellationToken cancellationToken, ActivityContext createdBy = default)
    {
        context.Method = RequestMethods.ToolsCall;
        context.Task = new McpTaskRun(task, store, events, options.Value);
        using var activity = McpTaskMetrics.Source.StartActivity(
            "mcp.task.run",
            ActivityKind.Internal,
            parentContext: default,
            links: createdBy == default ? null : [new ActivityLink(createdBy)]);
        activity?.SetTag("mcp.task.id", task.TaskId);
        activity?.SetTag("gen_ai.tool.name", task.Tool);

        string? resultJson = null;
        string? errorJson = null;
        McpTaskStatus status;
        try
        {
            var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(task.ArgumentsJson);
            var result = await sender.Send(new McpCallTool(task.Tool, arguments), cancellationToken);
            resultJson = JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions);
            status = McpTaskStatus.Completed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (McpProtocolException ex)
        {
            errorJson = McpTaskWire.ErrorJson((int)ex.ErrorCode, ex.Message);
            status = McpTaskStatus.Failed;
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex, task.TaskId, task.Tool);
            errorJson = McpTaskWire.ErrorJson((int)McpErrorCode.InternalError, "The task failed with an internal error.");
            status = McpTaskStatus.Failed;
        }

        var message = status == McpTaskStatus.Failed ? JsonNode.Parse(errorJson!)?["message"]?.GetValue<string>() : null;
        if (await store.TryTransitionAsync(task.TaskId, status, message, resultJson, errorJson, CancellationToken.None))
        {
            await events.PublishAsync(task.TaskId, CancellationToken.None);
            return status;
        }

        return McpTaskStatus.Cancelled;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} ({Tool}) failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string taskId, string tool);
}

/// <summary>
/// <see cref="IMcpTaskContext"/> of a running task: progress becomes its status message; questions become its input
/// requests, and the handler waits (woken by <see cref="IMcpTaskEvents"/>, else checking every watch interval) until
/// all are answered — by <c>tasks/update</c> or, in 2025-11-25, by the client's answers on <c>tasks/result</c>.
/// </summary>
internal sealed class McpTaskRun(McpTaskRecord task, IMcpTaskStore store, IMcpTaskEvents events, McpTaskOptions options) : IMcpTaskContext
{
    public string TaskId => task.TaskId;

    public string Owner => task.Owner;

    public async ValueTask ReportAsync(string statusMessage, CancellationToken cancellationToken)
    {
        if (await store.SetStatusMessageAsync(task.TaskId, statusMessage, cancellationToken))
        {
            await events.PublishAsync(task.TaskId, cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, CancellationToken cancellationToken)
    {
        var answers = await store.AnswersAsync(task.TaskId, cancellationToken);
        var missing = requests.Where(r => !answers.ContainsKey(r.Key)).ToDictionary(r => r.Key, r => McpTaskWire.InputRequestJson(r.Value), StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            if (!await store.RequestInputAsync(task.TaskId, missing, "Waiting for the client's answer.", cancellationToken))
            {
                throw new OperationCanceledException("The task ended while it waited for input.");
            }

            await events.PublishAsync(task.TaskId, cancellationToken);
            while (requests.Keys.Any(k => !answers.ContainsKey(k)))
            {
                await events.WaitAsync(task.TaskId, options.WatchInterval, cancellationToken);
                answers = await store.AnswersAsync(task.TaskId, cancellationToken);
            }
        }

        return requests.Keys.ToDictionary(k => k, k => JsonNode.Parse(answers[k]), StringComparer.Ordinal);
    }
}
