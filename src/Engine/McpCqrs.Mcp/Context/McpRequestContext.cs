using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Context;

/// <summary>
/// What a method handler knows about the MCP request it serves: the protocol version in force, the client and
/// its capabilities, the session <em>where one exists</em> (the stateless revision has none), and a way back to
/// the client. Handlers never see the session object or the HTTP exchange.
/// </summary>
public interface IMcpRequestContext
{
    string Method { get; }

    RequestId? RequestId { get; }

    string ProtocolVersion { get; }

    Implementation? ClientInfo { get; }

    ClientCapabilities? ClientCapabilities { get; }

    /// <summary>The session id, or null for a request that belongs to none.</summary>
    string? SessionId { get; }

    /// <summary>The token the client asked progress to be reported under, if any.</summary>
    ProgressToken? ProgressToken { get; }

    /// <summary>The least severe log level the client wants to receive (null: the server's default).</summary>
    LoggingLevel? LogLevel { get; }

    /// <summary>Messages to the client while the request runs (notifications before the result); null outside MCP.</summary>
    IMcpOutbound? Outbound { get; }

    /// <summary>
    /// The request's era: <see cref="McpEra.Stateless"/> (2026-07-28) has no session and no server-to-client requests
    /// (input is asked for with an <c>input_required</c> result) and sends log messages only when the request asked
    /// for them; <see cref="McpEra.Session"/> is 2025-11-25 and earlier.
    /// </summary>
    McpEra Era { get; }

    /// <summary>Stateless era: the client's answers to the input this request asked for in an earlier round, by key.</summary>
    IReadOnlyDictionary<string, JsonNode?>? InputResponses { get; }

    /// <summary>Stateless era: the state the handler kept in the previous round (verified by the server), or null.</summary>
    string? RequestState { get; }

    /// <summary>
    /// Whether (and how) this call may become a task: 2026-07-28, the request declared the tasks extension;
    /// 2025-11-25, it carried <c>params.task</c>. Null: the client takes no task for this call.
    /// </summary>
    McpTaskOptIn? TaskOptIn { get; }

    /// <summary>Inside a running task: its status and input requests (progress and questions go there); null otherwise.</summary>
    IMcpTaskContext? Task { get; }
}

/// <summary>A client's consent to receive a task for this call.</summary>
/// <param name="Era">Which era's task shapes it speaks (the stateless era's extension <c>io.modelcontextprotocol/tasks</c>: flat results, <c>ttlMs</c>, <c>tasks/update</c>; the session era's: nested <c>{task}</c>, <c>ttl</c>, blocking <c>tasks/result</c>).</param>
/// <param name="RequestedTtl">2025-11-25: the <c>ttl</c> it asked for (the server may change it).</param>
public sealed record McpTaskOptIn(McpEra Era, TimeSpan? RequestedTtl = null);

/// <summary>What a handler running as a task reaches through <see cref="IProgressReporter"/> and <see cref="IClientInput"/>.</summary>
public interface IMcpTaskContext
{
    string TaskId { get; }

    /// <summary>The auth context of the caller who created the task (the handler runs on its behalf).</summary>
    string Owner { get; }

    /// <summary>Sets the task's <c>statusMessage</c>.</summary>
    ValueTask ReportAsync(string statusMessage, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the client through the task's <c>inputRequests</c> (the task is <c>input_required</c> until every key is
    /// answered) and waits; a key answered before (also before the task was created) is not asked again.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, CancellationToken cancellationToken);
}

/// <summary>Carries messages to the client on the current request's response (the transport switches it to SSE).</summary>
public interface IMcpOutbound
{
    /// <summary>Sends a notification to the client before the request's result.</summary>
    ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken);

    /// <summary>Sends a request to the client (sampling, elicitation) and waits for its answer.</summary>
    ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the HTTP response now (2025-11-25 polling): the request goes on, and what it sends later — its result
    /// included — is kept for the client, which resumes with a GET and <c>Last-Event-ID</c>.
    /// </summary>
    ValueTask CloseStreamAsync(CancellationToken cancellationToken);
}

/// <summary>The scoped, transport-filled <see cref="IMcpRequestContext"/>.</summary>
public sealed class McpRequestContext : IMcpRequestContext
{
    public string Method { get; set; } = string.Empty;

    public RequestId? RequestId { get; set; }

    public string ProtocolVersion { get; set; } = McpProtocol.LatestVersion;

    public Implementation? ClientInfo { get; set; }

    public ClientCapabilities? ClientCapabilities { get; set; }

    public string? SessionId { get; set; }

    public ProgressToken? ProgressToken { get; set; }

    public LoggingLevel? LogLevel { get; set; }

    public IMcpOutbound? Outbound { get; set; }

    public McpEra Era { get; set; }

    public IReadOnlyDictionary<string, JsonNode?>? InputResponses { get; set; }

    public string? RequestState { get; set; }

    public McpTaskOptIn? TaskOptIn { get; set; }

    public IMcpTaskContext? Task { get; set; }

    /// <summary>Whether the dispatcher answers this call (a task's run is not answered): <c>tools/call</c> may then hand it <see cref="Rendered"/>.</summary>
    internal bool Dispatched { get; set; }

    /// <summary>Set by <c>tools/call</c> answered by the dispatcher: its result as it goes on the wire, written instead of the returned object.</summary>
    internal McpCqrs.Mcp.Methods.RenderedToolResult? Rendered { get; set; }

    /// <summary>Set by <c>tools/call</c> when the call became a task: the transport answers with it instead of a result.</summary>
    public McpCqrs.Mcp.Tasks.McpTaskRecord? CreatedTask { get; set; }

    /// <summary>
    /// While <c>tools/call</c> admits a task: the tool's request runs through authorization, rate limit and
    /// validation and then stops before its handler (<see cref="Behaviors.TaskAdmissionBehavior{TMessage, TResponse}"/>).
    /// </summary>
    public McpCqrs.Mcp.Tasks.TaskAdmission? Admission { get; set; }

    private HashSet<string>? _answeredKeys;

    /// <summary>Stateless era: the keys of <see cref="InputResponses"/> that a handler asked for and read in this round.</summary>
    public IReadOnlySet<string> AnsweredKeys => _answeredKeys ?? (IReadOnlySet<string>)NoKeys;

    private static readonly HashSet<string> NoKeys = [];

    /// <summary>Records that a handler read the answers to <paramref name="keys"/> (made on first use: most requests ask nothing).</summary>
    public void MarkAnswered(IEnumerable<string> keys) => (_answeredKeys ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(keys);

    /// <summary>
    /// Inside a task: the task's own request, which passed authorization, rate limits and validation when the task
    /// was created. Only this request skips them; anything else the handler sends is checked as usual.
    /// </summary>
    public object? AdmittedRequest { get; set; }

    /// <summary>The call's own token source when its host admitted it with one: the dispatch timeout is armed on it.</summary>
    internal Dispatch.CallCancellation? Cancellation { get; set; }
}
