using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using McpSession = McpCqrs.Mcp.Sessions.McpSession;

namespace McpCqrs.Mcp.Eras;

/// <summary>
/// The session era (2025-11-25 and earlier): <c>initialize</c> opens a session — within the caller's rate of new
/// sessions and count of open ones (<c>Mcp:Limits</c>) — and advertises <c>capabilities.tasks</c> when a task worker
/// runs; <c>tools/list</c> marks the tools that may run as tasks (<c>execution.taskSupport</c>); a call that became a
/// task answers the nested <c>{task}</c> and its session hears of the task's changes; errors keep their codes;
/// a cancelled request answers −32800.
/// </summary>
internal sealed partial class SessionEraPolicy(ToolListWriter toolList, TimeProvider clock, ILogger<SessionEraPolicy> logger) : McpEraPolicy
{
    // The initialize answer's JSON for each capabilities and server info instance (the handler answers with shared
    // ones), then protocol version, instructions and tasks: each new session writes cached bytes. Held weakly by the
    // instances, so a handler that builds new ones each time costs a serialization, never a growing cache.
    private readonly ConditionalWeakTable<ServerCapabilities, ConditionalWeakTable<Implementation, ConcurrentDictionary<InitializeKey, RawJson>>> _initializeJson = [];

    public override McpEra Era => McpEra.Session;

    /// <summary>
    /// A request of a session (or <c>initialize</c>, with no session yet). A method this era does not serve is
    /// admitted too and answered −32601 like any other error of the call.
    /// </summary>
    public McpCall Admit(JsonRpcEnvelope envelope, McpSession? session) => new()
    {
        Policy = this,
        Rule = McpMethodTable.Resolve(envelope.Method!, McpEra.Session),
        Id = envelope.Id!.Value,
        Params = envelope.ParamsElement,
        ProtocolVersion = session?.ProtocolVersion ?? McpProtocol.LatestVersion,
        ClientInfo = session?.ClientInfo,
        ClientCapabilities = session?.ClientCapabilities,
        LogLevel = session?.LogLevel,
        SessionId = session?.Id,
        ProgressToken = McpCall.ProgressTokenOf(envelope.ParamsElement),
        TaskOptIn = TaskOptInOf(envelope.ParamsElement),
    };

    /// <summary><c>initialize</c>: the caller's rate of new sessions is checked before anything runs.</summary>
    public override async ValueTask BeforeAsync(McpCall call, object message, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (message is not McpInitialize initialize)
        {
            return;
        }

        context.ClientInfo = initialize.Params.ClientInfo;
        context.ClientCapabilities = initialize.Params.Capabilities;
        RateLimitDecision decision;
        try
        {
            decision = await services.GetRequiredService<IRateLimitService>().TryAcquireAsync(SessionRate.Binding, OwnerOf(services), cancellationToken);
        }
        catch (RateLimitUnavailableException ex)
        {
            // The rate of new sessions is kept with the sessions (Redis): both are out of reach.
            throw new SessionStoreUnavailableException(ex.InnerException ?? ex, "The session store is unavailable (the rate of new sessions cannot be checked); try again shortly.");
        }

        if (!decision.Allowed)
        {
            var max = BoundRequests.Limits(services).SessionsPerMinutePerPrincipal;
            var retryAfter = decision.RetryAfterSeconds ?? 1;
            throw McpLimitExceededException.Of(
                nameof(McpLimitsOptions.SessionsPerMinutePerPrincipal),
                max,
                $"Too many new sessions: at most {max} per minute for one caller; retry after {retryAfter} s.",
                isRate: true,
                retryAfter);
        }
    }

    public override async ValueTask<McpReply> ResultAsync(McpCall call, object? result, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        var tasks = services.GetService<IMcpTaskQueue>() is not null;
        switch (result)
        {
            case InitializeResult initialized:
                var session = await OpenAsync(initialized, context, services, cancellationToken);
                return JsonRpcWire.Reply(call.Id, InitializeJson(initialized, tasks)) with { SessionId = session.Id };
            case ListToolsResult tools:
                return JsonRpcWire.Reply(call.Id, toolList.Write(tools, tasks));
        }

        if (context.CreatedTask is { } created)
        {
            if (call.SessionId is { } sessionId)
            {
                services.GetService<IMcpTaskWatchers>()?.Track(created, sessionId);
            }

            return JsonRpcWire.Reply(call.Id, McpTaskWire.Created(created, McpEra.Session));
        }

        return JsonRpcWire.Reply(call.Id, result);
    }

    public override (McpStatus Status, int Code, object? Data) ProtocolError(McpCall call, McpProtocolException error) =>
        (McpStatus.Ok, (int)error.ErrorCode, McpErrors.DataOf(error));

    public override McpReply Cancelled(McpCall call) =>
        McpReply.Ok(JsonRpcWire.Error(call.Id, McpErrors.RequestCancelled, "The request was cancelled."));

    /// <summary>
    /// Whose sessions share one count: the principal, else the client address — as tasks are owned, and whatever
    /// <c>RateLimiting:PartitionBy</c> says (a global partition would make the per-principal bound server-wide).
    /// </summary>
    private static string OwnerOf(IServiceProvider services) => TaskRules.OwnerOf(services.GetRequiredService<ICurrentUser>());

    /// <summary>Stores the new session, unless its owner holds <see cref="McpLimitsOptions.MaxSessionsPerPrincipal"/> already.</summary>
    private async Task<McpSession> OpenAsync(InitializeResult result, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new McpSession(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            result.ProtocolVersion,
            context.ClientInfo,
            context.ClientCapabilities,
            services.GetRequiredService<ICurrentUser>().Id,
            now,
            now);
        var max = BoundRequests.Limits(services).MaxSessionsPerPrincipal;
        if (!await services.GetRequiredService<ISessionStore>().TryCreateAsync(session, OwnerOf(services), max, cancellationToken))
        {
            throw McpLimitExceededException.Of(
                nameof(McpLimitsOptions.MaxSessionsPerPrincipal),
                max,
                $"This caller holds {max} open sessions already: end one (DELETE) or let one expire before opening another.");
        }

        LogSessionStarted(logger, session.Id, session.ProtocolVersion, session.ClientInfo?.Name);
        return session;
    }

    /// <summary>
    /// The <c>initialize</c> result's JSON, with <c>capabilities.tasks</c> when this host runs a task worker — list,
    /// cancel, and task-augmented <c>tools/call</c> (the SDK's capability types have no such member, so it is added to
    /// the JSON) — made once for each distinct answer.
    /// </summary>
    private RawJson InitializeJson(InitializeResult result, bool tasks) =>
        result.Meta is null
            ? _initializeJson.GetOrCreateValue(result.Capabilities).GetOrCreateValue(result.ServerInfo).GetOrAdd(
                new InitializeKey(result.ProtocolVersion, result.Instructions, tasks),
                static (_, state) => Serialize(state.result, state.tasks),
                (result, tasks))
            : Serialize(result, tasks);

    private static RawJson Serialize(InitializeResult result, bool tasks)
    {
        var node = JsonSerializer.SerializeToNode(result, JsonRpcWire.Options)!.AsObject();
        if (tasks)
        {
            node["capabilities"]!["tasks"] = new JsonObject
            {
                ["list"] = new JsonObject(),
                ["cancel"] = new JsonObject(),
                ["requests"] = new JsonObject { ["tools"] = new JsonObject { ["call"] = new JsonObject() } },
            };
        }

        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(node, JsonRpcWire.Options));
    }

    /// <summary>What besides the capabilities an <c>initialize</c> answer is made of.</summary>
    private readonly record struct InitializeKey(string ProtocolVersion, string? Instructions, bool Tasks);

    /// <summary>A <c>tools/call</c> carrying <c>params.task</c> (with an optional <c>ttl</c> in ms) asks for a task.</summary>
    private static McpTaskOptIn? TaskOptInOf(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("task"u8, out var task) && task.ValueKind == JsonValueKind.Object
            ? new McpTaskOptIn(
                McpEra.Session,
                task.TryGetProperty("ttl"u8, out var ttl) && ttl.ValueKind == JsonValueKind.Number && ttl.TryGetInt64(out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null)
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP session {SessionId} started ({ProtocolVersion}, client {Client})")]
    private static partial void LogSessionStarted(ILogger logger, string sessionId, string protocolVersion, string? client);
}

/// <summary>
/// The rate of new sessions (<c>Mcp:Limits:SessionsPerMinutePerPrincipal</c>) as a policy of the application's rate
/// limits, so it is kept where the other limits are (in memory, or in Redis shared by every instance).
/// </summary>
public static class SessionRate
{
    /// <summary>The binding <c>initialize</c> is limited under.</summary>
    public const string Binding = "mcp:initialize";

    /// <summary>The policy of that binding: a sliding minute in six segments.</summary>
    public const string Policy = "mcp-initialize";

    public static void Register(RateLimitingOptions rateLimits, McpLimitsOptions limits)
    {
        rateLimits.AddPolicy(RateLimitPolicy.SlidingWindow(Policy, limits.SessionsPerMinutePerPrincipal, TimeSpan.FromMinutes(1), 6));
        rateLimits.ForBinding(Binding, Policy);
    }
}
