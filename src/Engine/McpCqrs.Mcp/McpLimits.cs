using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp;

/// <summary>
/// Bounds on what one caller may hold or receive, so no caller can make the server grow without bound or wait
/// forever. Bound from <c>Mcp:Limits</c>; every value has a safe default. A limit reached is a
/// <see cref="McpLimitExceededException"/>: a JSON-RPC error with code <see cref="McpLimitExceededException.Code"/>
/// (HTTP 429 when the limit is about rate), a tool error for oversized results, REST 429/409.
/// </summary>
public sealed class McpLimitsOptions
{
    public const string SectionName = "Mcp:Limits";

    /// <summary>Open 2025-11-25 sessions one principal (anonymous callers: one client address) may hold at once.</summary>
    [Range(1, 100_000)]
    public int MaxSessionsPerPrincipal { get; set; } = 100;

    /// <summary>New sessions (<c>initialize</c>) one principal (anonymous: one client address) may open per minute.</summary>
    [Range(1, 1_000_000)]
    public int SessionsPerMinutePerPrincipal { get; set; } = 120;

    /// <summary>Resource subscriptions (<c>resources/subscribe</c>) one session may hold.</summary>
    [Range(1, 100_000)]
    public int MaxSubscriptionsPerSession { get; set; } = 100;

    /// <summary>SSE streams (the GET stream and resumed response streams) one session may have open on an instance at once.</summary>
    [Range(1, 1_000)]
    public int MaxStreamsPerSession { get; set; } = 8;

    /// <summary><c>subscriptions/listen</c> streams one principal (anonymous: one client address) may have open on an instance at once.</summary>
    [Range(1, 10_000)]
    public int MaxListenStreamsPerPrincipal { get; set; } = 8;

    /// <summary>Task ids one <c>subscriptions/listen</c> request may name.</summary>
    [Range(1, 10_000)]
    public int MaxTaskIdsPerListen { get; set; } = 100;

    /// <summary>Tasks one owner may have that have not ended (working or waiting for input).</summary>
    [Range(1, 100_000)]
    public int MaxLiveTasksPerOwner { get; set; } = 20;

    /// <summary>
    /// The largest tool result (its serialized content and structured content); larger ones become a tool error
    /// (<c>result_too_large</c>). It bounds <c>resources/read</c> contents and <c>prompts/get</c> messages too, which are
    /// answered with the JSON-RPC limit error instead.
    /// </summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxToolResultBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long one call (<c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>, ...) may run before its handler's
    /// token is cancelled; a tool may set its own (<c>[McpTool(TimeoutSeconds = ...)]</c>). Tasks run under their own time to live.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan DispatchTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// After this long the server closes a GET or <c>subscriptions/listen</c> stream with a <c>retry</c> hint; the client
    /// reconnects (with <c>Last-Event-ID</c>, or listens again) and loses nothing. At most 24 days (a timer's range).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "24.00:00:00")]
    public TimeSpan MaxStreamDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Used <c>requestState</c> nonces one instance remembers (only without <c>Mcp:Redis</c>; each until its state
    /// expires). When they are all still live, a retry carrying a state is refused (HTTP 429) until the oldest expire.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxUsedRequestStates { get; set; } = 100_000;
}

/// <summary>
/// A bound of <see cref="McpLimitsOptions"/> was reached. MCP answers a JSON-RPC error with <see cref="Code"/> and
/// <c>data: { limit, max }</c> (HTTP 429 when <see cref="IsRate"/>); REST answers 429 (rate) or 409 (a count).
/// </summary>
public sealed class McpLimitExceededException(string limit, long max, string message, bool isRate = false) : Exception(message)
{
    /// <summary>The JSON-RPC code of a reached limit: in the implementation-defined server range, outside −32020…−32099.</summary>
    public const int Code = -32003;

    /// <summary>The configuration key of the limit, e.g. <c>Mcp:Limits:MaxSessionsPerPrincipal</c>.</summary>
    public string Limit { get; } = limit;

    /// <summary>The configured bound.</summary>
    public long Max { get; } = max;

    /// <summary>True when the limit is about rate (answered with HTTP 429), false when it is about a count held.</summary>
    public bool IsRate { get; } = isRate;

    /// <summary>For a rate: the seconds after which a retry can succeed (the answer's <c>Retry-After</c>), when known.</summary>
    public int? RetryAfter { get; init; }

    /// <summary>A limit exceeded, named by its property of <see cref="McpLimitsOptions"/>.</summary>
    public static McpLimitExceededException Of(string property, long max, string message, bool isRate = false, int? retryAfter = null) =>
        new($"{McpLimitsOptions.SectionName}:{property}", max, message, isRate) { RetryAfter = retryAfter };
}
