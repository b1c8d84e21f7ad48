using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Methods;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Mcp.Context.InputRequest;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// Runs the tasks created on this instance, off the request thread, at most <see cref="McpTaskOptions.MaxConcurrency"/>
/// at a time (a task waiting for its client's answers gives its slot back until they come). A thread of the worker's
/// own renews, in one statement every sixth of a lease, the leases of every task it holds (queued or running), so
/// neither a long queue nor a starved thread pool lets a lease lapse while the instance lives; a task that was
/// cancelled or failed while it waited is not started. A running task wakes on its change events (cancellation
/// made on any instance) and reads the store only as a slow fallback. On shutdown the worker takes no
/// more work and stops its handlers without writing an outcome: their leases run out and the sweeper (of any
/// instance) marks the tasks failed — commands are not re-run.
/// </summary>
internal sealed partial class McpTaskWorker(
    IServiceScopeFactory scopes,
    IOptions<McpTaskOptions> options,
    IOptions<McpCqrs.Mcp.McpLimitsOptions> limits,
    IMcpTaskEvents events,
    TimeProvider clock,
    ILogger<McpTaskWorker> logger) : BackgroundService, IMcpTaskQueue
{
    private readonly Channel<QueuedTask> _queue = Channel.CreateUnbounded<QueuedTask>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, QueuedTask> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrency));
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private long _renewedAtTicks = clock.GetUtcNow().UtcDateTime.Ticks;

    public string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public McpTaskOptions Options => options.Value;

    public int MaxLiveTasksPerOwner => limits.Value.MaxLiveTasksPerOwner;

    private TimeSpan Lease => options.Value.LeaseDuration;

    /// <summary>How often the leases are renewed: a sixth of a lease, so five renewals in a row may fail before one lapses.</summary>
    private TimeSpan RenewEvery => Lease / 6;

    /// <summary>When the leases were last renewed (or there was none to renew), by this instance's clock.</summary>
    private DateTime RenewedAt => new(Interlocked.Read(ref _renewedAtTicks), DateTimeKind.Utc);

    public bool TryEnqueue(McpTaskRecord task, ClientCapabilities? client)
    {
        // Enqueued on the creating request: its span is the one the task's run links to.
        var queued = new QueuedTask(task, Activity.Current?.Context ?? default, client);
        _waiting[task.TaskId] = queued;
        _held[task.TaskId] = 0;
        if (!_queue.Writer.TryWrite(queued))
        {
            _waiting.TryRemove(task.TaskId, out _);
            _held.TryRemove(task.TaskId, out _);
            return false;
        }

        McpTaskMetrics.Queued(1);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var renewing = KeepLeasesAsync(stoppingToken);
        try
        {
            await foreach (var queued in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                _waiting.TryRemove(queued.Task.TaskId, out _);
                McpTaskMetrics.Queued(-1);
                var slot = new Slot(_slots);
                _running[queued.Task.TaskId] = Task.Run(() => RunQueuedAsync(queued, slot, stoppingToken), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(_running.Values);
        await renewing;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task RunQueuedAsync(QueuedTask queued, Slot slot, CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(queued.Task, stoppingToken, queued.CreatedBy, queued.Client, slot);
        }
        finally
        {
            slot.Release();
            _running.TryRemove(queued.Task.TaskId, out _);
        }
    }

    /// <summary>
    /// Runs <see cref="KeepLeases"/> on a dedicated thread (not the thread pool, whose queue a busy machine can hold
    /// up for seconds) and completes when it has stopped.
    /// </summary>
    private Task KeepLeasesAsync(CancellationToken stoppingToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                KeepLeases(stoppingToken);
            }
            finally
            {
                stopped.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "McpTaskLeases",
        };
        thread.Start();
        return stopped.Task;
    }

    /// <summary>
    /// Every <see cref="RenewEvery"/> until the host stops: one statement extends the lease of every task this worker
    /// holds. It waits on a kernel handle and calls the store synchronously, so it needs no thread-pool thread.
    /// </summary>
    private void KeepLeases(CancellationToken stoppingToken)
    {
        while (!stoppingToken.WaitHandle.WaitOne(RenewEvery))
        {
            try
            {
                var now = clock.GetUtcNow().UtcDateTime;
                if (!_held.IsEmpty)
                {
                    using var scope = scopes.CreateScope();
                    scope.ServiceProvider.GetRequiredService<IMcpTaskStore>().RenewLeases([.. _held.Keys], Worker, now + Lease);
                }

                Interlocked.Exchange(ref _renewedAtTicks, now.Ticks);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRenewFailed(logger, ex);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Runs one task to its end (or until it is cancelled, its lease is lost, or the host stops), renewing its lease
    /// and watching for cancellation. A task that is no longer this worker's to run (cancelled, failed or taken
    /// while it waited) is not started.
    /// </summary>
    public async Task RunAsync(McpTaskRecord task, CancellationToken stoppingToken, ActivityContext createdBy = default, ClientCapabilities? client = null, IMcpTaskSlot? slot = null)
    {
        await using (var claim = scopes.CreateAsyncScope())
        {
            if (!await claim.ServiceProvider.GetRequiredService<IMcpTaskStore>().TryLeaseAsync(task.TaskId, Worker, clock.GetUtcNow().UtcDateTime + Lease, stoppingToken))
            {
                _held.TryRemove(task.TaskId, out _);
                LogNotStarted(logger, task.TaskId);
                return;
            }
        }

        _held[task.TaskId] = 0;

        // A task's run ends with its time to live (a task queued past it is not started at all).
        var left = task.ExpiresAt is { } expires ? expires - clock.GetUtcNow().UtcDateTime : (TimeSpan?)null;
        if (left <= TimeSpan.Zero)
        {
            await FailExpiredAsync(task, TimeSpan.Zero);
            _held.TryRemove(task.TaskId, out _);
            return;
        }

        using var expiry = left is { } ttl && ttl < MaxTimer ? new CancellationTokenSource(ttl, clock) : new CancellationTokenSource();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, expiry.Token);
        var watch = WatchAsync(task, running, stoppingToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<McpTaskExecutor>().RunAsync(task, running.Token, createdBy, client, slot);
            McpTaskMetrics.Finished(outcome, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger, task.TaskId);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            await FailExpiredAsync(task, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // Cancelled by its client (or its lease was lost): the store already says how it ended.
            McpTaskMetrics.Finished(McpTaskStatus.Cancelled, Stopwatch.GetElapsedTime(started));
            LogCancelled(logger, task.TaskId);
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
            _held.TryRemove(task.TaskId, out _);
        }
    }

    /// <summary>
    /// Cancels the handler once the task is cancelled, gone or taken by another worker, or once the leases could not be
    /// renewed for a whole lease (another instance may have failed the task by then). It wakes on the task's change
    /// events and reads the store at least every <see cref="McpTaskOptions.WatchInterval"/> (a fifth of a lease at
    /// most). A store error in between is logged and retried.
    /// </summary>
    private async Task WatchAsync(McpTaskRecord task, CancellationTokenSource running, CancellationToken stoppingToken)
    {
        var every = options.Value.WatchInterval < Lease / 5 ? options.Value.WatchInterval : Lease / 5;
        while (!running.IsCancellationRequested)
        {
            try
            {
                // Listening before the read: a change made between the two still wakes the next wait.
                var changed = events.WaitAsync(task.TaskId, every, running.Token);
                if (clock.GetUtcNow().UtcDateTime - RenewedAt >= Lease)
                {
                    await running.CancelAsync();
                    return;
                }

                await using (var scope = scopes.CreateAsyncScope())
                {
                    var current = await scope.ServiceProvider.GetRequiredService<IMcpTaskStore>().FindAsync(task.TaskId, task.Owner, running.Token);
                    if (current is null || current.CancelRequested || McpTaskRecord.IsTerminal(current.Status) || current.LeaseOwner != Worker)
                    {
                        await running.CancelAsync();
                        return;
                    }
                }

                await changed;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogWatchFailed(logger, ex, task.TaskId);
                await Task.WhenAny(Task.Delay(every, clock, running.Token));
            }
        }
    }

    private sealed record QueuedTask(McpTaskRecord Task, ActivityContext CreatedBy, ClientCapabilities? Client);

    /// <summary>One worker slot, given back at most once for each time it is taken.</summary>
    private sealed class Slot(SemaphoreSlim slots) : IMcpTaskSlot
    {
        private int _held = 1;

        public void Release()
        {
            if (Interlocked.Exchange(ref _held, 0) == 1)
            {
                slots.Release();
            }
        }

        public async Task ReacquireAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _held) == 0)
            {
                await slots.WaitAsync(cancellationToken);
                Volatile.Write(ref _held, 1);
            }
        }
    }

    /// <summary>The longest delay a timer takes; a time to live beyond it is left to the sweeper.</summary>
    private static readonly TimeSpan MaxTimer = TimeSpan.FromDays(24);

    /// <summary>Records that the task's time to live ended before it finished (if nothing else ended it first).</summary>
    private async Task FailExpiredAsync(McpTaskRecord task, TimeSpan ran)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<IMcpTaskStore>().FailExpiredAsync(task.TaskId, CancellationToken.None))
            {
                await events.PublishAsync(task.TaskId, CancellationToken.None);
                McpTaskMetrics.Finished(McpTaskStatus.Failed, ran);
                LogExpired(logger, task.TaskId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRunFailed(logger, ex, task.TaskId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} reached the end of its time to live before it finished; it was stopped and failed")]
    private static partial void LogExpired(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} stopped by shutdown; its lease will run out and it will be marked failed")]
    private static partial void LogStopped(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} was cancelled; its handler stopped")]
    private static partial void LogCancelled(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} was not started: it ended (or was taken) while it waited in the queue")]
    private static partial void LogNotStarted(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} could not record its outcome")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: the store could not be read; trying again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The leases of this instance's tasks could not be renewed; trying again")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);
}

/// <summary>A running task's place in the worker, which it gives back while it waits for its client.</summary>
public interface IMcpTaskSlot
{
    void Release();

    Task ReacquireAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs one task's tool call in a fresh scope as <c>tools/call</c> does (tracing and resource notifications apply; the
/// gates ran when the task was created) and records the outcome: the tool result (an <c>isError</c> one
/// included) → <c>completed</c>; a JSON-RPC error → <c>failed</c> with it; anything unexpected → <c>failed</c>
/// with -32603 and no details. A cancelled task is left as its cancellation set it.
/// </summary>
internal sealed partial class McpTaskExecutor(
    McpRequestContext context,
    IMcpMethodHandler<McpCallTool, CallToolResult> callTool,
    IMcpTaskStore store,
    IServiceScopeFactory scopes,
    IMcpTaskEvents events,
    IOptions<McpTaskOptions> options,
    ILogger<McpTaskExecutor> logger)
{
    /// <param name="task">The task to run.</param>
    /// <param name="cancellationToken">Cancelled when the task is cancelled or the host stops.</param>
    /// <param name="createdBy">The span of the request that created the task: the run is a new trace linked to it.</param>
    /// <param name="client">The capabilities of the client that created the task: what the task may ask it.</param>
    /// <param name="slot">The worker slot, given back while the task waits for answers.</param>
    public async Task<McpTaskStatus> RunAsync(McpTaskRecord task, CancellationToken cancellationToken, ActivityContext createdBy = default, ClientCapabilities? client = null, IMcpTaskSlot? slot = null)
    {
        context.Method = RequestMethods.ToolsCall;
        context.ClientCapabilities = client;
        context.Task = new McpTaskRun(task, scopes, events, options.Value, slot);
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
            var result = await callTool.Handle(new McpCallTool(task.Tool, arguments), cancellationToken);
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
/// While it waits it gives its worker slot back. Each store call has its own scope, so the task's bookkeeping never
/// touches (or saves) the handler's unit of work.
/// </summary>
internal sealed class McpTaskRun(McpTaskRecord task, IServiceScopeFactory scopes, IMcpTaskEvents events, McpTaskOptions options, IMcpTaskSlot? slot) : IMcpTaskContext
{
    public string TaskId => task.TaskId;

    public string Owner => task.Owner;

    public async ValueTask ReportAsync(string statusMessage, CancellationToken cancellationToken)
    {
        if (await WithStoreAsync(store => store.SetStatusMessageAsync(task.TaskId, statusMessage, cancellationToken)))
        {
            await events.PublishAsync(task.TaskId, cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, CancellationToken cancellationToken)
    {
        var answers = await WithStoreAsync(store => store.AnswersAsync(task.TaskId, cancellationToken));
        var missing = requests.Where(r => !answers.ContainsKey(r.Key)).ToDictionary(r => r.Key, r => McpTaskWire.InputRequestJson(r.Value), StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            if (!await WithStoreAsync(store => store.RequestInputAsync(task.TaskId, missing, "Waiting for the client's answer.", cancellationToken)))
            {
                throw new OperationCanceledException("The task ended while it waited for input.");
            }

            await events.PublishAsync(task.TaskId, cancellationToken);
            slot?.Release();
            while (true)
            {
                // Listening before the read: an answer recorded between the two still wakes the wait at once.
                var changed = events.WaitAsync(task.TaskId, options.WatchInterval, cancellationToken);
                answers = await WithStoreAsync(store => store.AnswersAsync(task.TaskId, cancellationToken));
                if (requests.Keys.All(answers.ContainsKey))
                {
                    break;
                }

                await changed;
            }

            if (slot is not null)
            {
                await slot.ReacquireAsync(cancellationToken);
            }
        }

        return requests.Keys.ToDictionary(k => k, k => JsonNode.Parse(answers[k]), StringComparer.Ordinal);
    }

    private async Task<T> WithStoreAsync<T>(Func<IMcpTaskStore, Task<T>> use)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<IMcpTaskStore>());
    }
}
