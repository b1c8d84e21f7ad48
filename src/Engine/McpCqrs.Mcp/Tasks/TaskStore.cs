namespace McpCqrs.Mcp.Tasks;

/// <summary>Where a task is in its life: <c>working</c> ⇄ <c>input_required</c> → one of the three terminal states.</summary>
public enum McpTaskStatus
{
    Working,
    InputRequired,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>
/// One long-running tool call, kept in the application database so that any instance can answer for it and a
/// restart loses nothing. A terminal status never changes again: every transition is a conditional update.
/// </summary>
public sealed class McpTaskRecord
{
    /// <summary>256 random bits, base64url: unguessable.</summary>
    public required string TaskId { get; init; }

    /// <summary>The caller's auth context (the principal's subject); another caller's task answers like an unknown one.</summary>
    public required string Owner { get; init; }

    /// <summary>The tool that was called.</summary>
    public required string Tool { get; init; }

    /// <summary>The arguments of the call, as JSON, for the worker that runs it.</summary>
    public required string ArgumentsJson { get; init; }

    public McpTaskStatus Status { get; set; }

    public string? StatusMessage { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; set; }

    /// <summary>How long after creation the task is kept; null: as long as the server keeps any.</summary>
    public long? TtlMs { get; init; }

    public DateTime? ExpiresAt { get; init; }

    public int PollIntervalMs { get; init; }

    /// <summary>The tool result (a CallToolResult as JSON) once completed.</summary>
    public string? ResultJson { get; set; }

    /// <summary>
    /// Whether <see cref="ResultJson"/> is a tool error (<c>isError: true</c>), kept beside it so a list that does not
    /// read the results still shows such a task as 2025-11-25 does (<c>failed</c>).
    /// </summary>
    public bool ResultIsError { get; set; }

    /// <summary>Whether a tool result written as JSON is a tool error (<c>isError: true</c>).</summary>
    public static bool IsErrorResult(string? resultJson) =>
        resultJson is not null
        && System.Text.Json.Nodes.JsonNode.Parse(resultJson)?["isError"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;

    /// <summary>The JSON-RPC error (<c>{code, message, data?}</c>) once failed.</summary>
    public string? ErrorJson { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>The worker that runs the task and until when its claim holds; an expired lease without a finish fails the task.</summary>
    public string? LeaseOwner { get; set; }

    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>Bumped by every change (optimistic concurrency).</summary>
    public long Revision { get; set; }

    /// <summary>The states a task never leaves.</summary>
    public static readonly McpTaskStatus[] TerminalStatuses = [McpTaskStatus.Completed, McpTaskStatus.Failed, McpTaskStatus.Cancelled];

    public static bool IsTerminal(McpTaskStatus status) => TerminalStatuses.Contains(status);
}

/// <summary>
/// A question the task's handler asks the user (an elicitation or sampling request, as JSON), under a key unique
/// for the task's whole life; answered once (2026-07-28: by <c>tasks/update</c>).
/// </summary>
public sealed class McpTaskInputRequest
{
    public required string TaskId { get; init; }

    public required string Key { get; init; }

    public required string RequestJson { get; init; }

    public string? ResponseJson { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime? AnsweredAt { get; set; }
}

/// <summary>The durable task store. Every write is committed before it returns, so any instance reads it at once.</summary>
public interface IMcpTaskStore
{
    /// <summary>
    /// Creates a <c>working</c> task (with its lease and the answers gathered before it, in one transaction); it is
    /// committed when this returns.
    /// </summary>
    Task<McpTaskRecord> CreateAsync(McpTaskDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="CreateAsync"/>, unless the owner already has <paramref name="maxLive"/> tasks that have not
    /// ended: then nothing is written and null is returned. The count and the insert are atomic, so parallel creations
    /// by one owner never pass the bound together.
    /// </summary>
    Task<McpTaskRecord?> TryCreateAsync(McpTaskDraft draft, int maxLive, CancellationToken cancellationToken);

    /// <summary>
    /// Fails a task whose time to live ended before it finished (error −32001), unless it has ended already; the
    /// failure is kept for one more time to live, so a client polling the task learns what happened. False when the
    /// task had ended (or is gone).
    /// </summary>
    Task<bool> FailExpiredAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>The task if it exists, has not expired and belongs to <paramref name="owner"/>; else null (no existence oracle).</summary>
    Task<McpTaskRecord?> FindAsync(string taskId, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the owner's tasks that have not expired, oldest first: <paramref name="take"/> rows from
    /// <paramref name="skip"/>, paged by the database and read without their arguments, result or error.
    /// </summary>
    Task<IReadOnlyList<McpTaskRecord>> ListAsync(string owner, int skip, int take, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="taskIds"/> are the owner's and have not expired, in one query.</summary>
    Task<IReadOnlySet<string>> OwnedAsync(IReadOnlyCollection<string> taskIds, string owner, CancellationToken cancellationToken);

    /// <summary>How many of the owner's tasks have not ended (working or waiting for input).</summary>
    Task<int> CountLiveAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a task that is not terminal to <paramref name="status"/> with its result or error; false when it was
    /// already terminal (a late writer changes nothing).
    /// </summary>
    Task<bool> TryTransitionAsync(string taskId, McpTaskStatus status, string? statusMessage, string? resultJson, string? errorJson, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the task: <c>cancelled</c> at once (the worker sees the flag and stops its handler). Idempotent; a
    /// terminal task is left as it is. True when this call cancelled it.
    /// </summary>
    Task<bool> RequestCancelAsync(string taskId, string owner, CancellationToken cancellationToken);

    /// <summary>Sets the status message of a task that is not terminal (progress reported by its handler).</summary>
    Task<bool> SetStatusMessageAsync(string taskId, string statusMessage, CancellationToken cancellationToken);

    /// <summary>
    /// Claims (or renews) the lease of a task that is not terminal for <paramref name="worker"/> until
    /// <paramref name="until"/>: free, already the worker's, or expired.
    /// </summary>
    Task<bool> TryLeaseAsync(string taskId, string worker, DateTime until, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the user: records <paramref name="requests"/> (key → request JSON) and moves the task to
    /// <c>input_required</c>, in one transaction; false (and nothing recorded) when the task is already terminal.
    /// A key used before in this task is refused (<see cref="ArgumentException"/>).
    /// </summary>
    Task<bool> RequestInputAsync(string taskId, IReadOnlyDictionary<string, string> requests, string? statusMessage, CancellationToken cancellationToken);

    /// <summary>The questions not answered yet (all of them, as <c>tasks/get</c> shows them).</summary>
    Task<IReadOnlyDictionary<string, string>> PendingInputAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Records the owner's answers to pending questions (unknown, answered or foreign keys are ignored) and, once
    /// none is left, moves the task back to <c>working</c>. Returns the keys accepted.
    /// </summary>
    Task<IReadOnlyList<string>> AnswerAsync(string taskId, string owner, IReadOnlyDictionary<string, string> responses, CancellationToken cancellationToken);

    /// <summary>The answers received so far (key → response JSON), for the handler that asked.</summary>
    Task<IReadOnlyDictionary<string, string>> AnswersAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the tasks (with their input requests) whose time to live ended before <paramref name="now"/> and that
    /// ended or were abandoned (no live lease); a task still running is kept until it ends. Returns how many.
    /// </summary>
    Task<int> DeleteExpiredAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Fails every non-terminal task whose lease expired before <paramref name="now"/> (its worker died); tasks are
    /// not re-run, since commands are not assumed idempotent. Returns the ids of the tasks it failed.
    /// </summary>
    Task<IReadOnlyList<string>> FailAbandonedAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="worker"/>'s leases on the given tasks (queued or running) to <paramref name="until"/>,
    /// in one statement. Returns how many. Synchronous on purpose: the worker renews from a thread of its own, so a
    /// busy thread pool cannot delay it.
    /// </summary>
    int RenewLeases(IReadOnlyCollection<string> taskIds, string worker, DateTime until);
}

/// <summary>What a new task starts with.</summary>
/// <param name="Owner">The caller's auth context.</param>
/// <param name="Tool">The tool called.</param>
/// <param name="ArgumentsJson">The call's arguments, as JSON.</param>
/// <param name="Ttl">How long the task is kept after creation.</param>
/// <param name="PollInterval">How often a client should poll.</param>
/// <param name="Worker">The instance that runs it (its lease holder).</param>
/// <param name="LeaseUntil">Until when the lease holds unless renewed.</param>
/// <param name="Answers">
/// Answers the client gave before the task existed (the input rounds of the creating <c>tools/call</c>), by key:
/// kept as answered input requests, so the handler asking the same question reads them.
/// </param>
public sealed record McpTaskDraft(
    string Owner,
    string Tool,
    string ArgumentsJson,
    TimeSpan? Ttl,
    TimeSpan PollInterval,
    string? Worker = null,
    DateTime? LeaseUntil = null,
    IReadOnlyDictionary<string, string>? Answers = null);

/// <summary>Long-running tool calls (section <c>Mcp:Tasks</c>).</summary>
public sealed class McpTaskOptions
{
    public const string SectionName = "Mcp:Tasks";

    /// <summary>How often expired tasks are deleted and tasks of dead workers are failed.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many tasks one instance runs at once; the others wait in its queue.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// How long a worker's claim on a task holds without renewal. The worker renews all its leases every sixth of it,
    /// from a thread of its own, while its instance lives.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a task is kept when the client asks for nothing else.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest time to live a client may ask for.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often clients are told to poll.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a running task (and one waiting for its client's answers) reads the store when no change event woke
    /// it: events (relayed between instances by Redis) wake it at once, so this is only the slow fallback.
    /// </summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// This instance's task worker: it runs the tasks created here (the creating instance is the one that holds the
/// lease; a task is never re-run elsewhere). Absent when the host runs no worker; then no call becomes a task.
/// </summary>
public interface IMcpTaskQueue
{
    /// <summary>This instance's worker id, the lease holder of the tasks it runs.</summary>
    string Worker { get; }

    McpTaskOptions Options { get; }

    /// <summary>How many tasks that have not ended one owner may have (<see cref="McpLimitsOptions.MaxLiveTasksPerOwner"/>).</summary>
    int MaxLiveTasksPerOwner { get; }

    /// <summary>
    /// Hands a created (and committed) task to the worker, with the capabilities of the client that created it
    /// (what the task may ask it); false when the worker is stopping.
    /// </summary>
    bool TryEnqueue(McpTaskRecord task, ModelContextProtocol.Protocol.ClientCapabilities? client);
}

/// <summary>
/// Tells whoever waits on a task (its handler waiting for answers, its worker watching for cancellation, streams
/// that push its status) that it changed — on this instance and, with Redis, on the others.
/// </summary>
public interface IMcpTaskEvents
{
    /// <summary>Announces a change of the task (everywhere).</summary>
    ValueTask PublishAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Completes when the task changes or after <paramref name="timeout"/>, whichever is first.</summary>
    Task WaitAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="changed"/> with the id of every task that changes, until disposed.</summary>
    IDisposable Subscribe(Action<string> changed);
}
