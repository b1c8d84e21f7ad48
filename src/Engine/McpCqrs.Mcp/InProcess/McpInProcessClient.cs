using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Eras;
using McpCqrs.Mcp.Methods;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.InProcess;

/// <summary>
/// The principal of an in-process MCP call, for the request's scope: the host's <c>ICurrentUser</c> and policy
/// evaluation read it before the HTTP request's user. Null in requests that came over HTTP.
/// </summary>
public sealed class McpCaller
{
    public ClaimsPrincipal? Principal { get; set; }
}

/// <summary>
/// Calls this server's tools, resources and prompts from inside the process — tests, background jobs, agent bridges —
/// as a given principal and through the very path an HTTP request takes: the 2026-07-28 era's dispatch, the method
/// handlers, and the behaviors (tracing, authorization, rate limits, validation). Each call runs in a scope of its
/// own. A JSON-RPC error comes back as the <see cref="McpProtocolException"/> the official client throws; a tool's
/// own failure is a result with <c>isError</c>, as over the wire. The caller declares no client capabilities: a
/// handler that asks the client for input (sampling, elicitation) is refused, and calls run at once, not as tasks.
/// </summary>
public sealed class McpInProcessClient
{
    private readonly IServiceScopeFactory _scopes;
    private readonly StatelessEraPolicy _policy;

    /// <summary>Resolve it from the container (<c>AddMcpServer</c> registers it).</summary>
    internal McpInProcessClient(IServiceScopeFactory scopes, StatelessEraPolicy policy)
    {
        _scopes = scopes;
        _policy = policy;
    }

    /// <summary>The <c>clientInfo</c> handlers see for in-process calls.</summary>
    public static Implementation ClientInfo { get; } = new() { Name = "in-process", Version = "1.0.0" };

    private long _nextId;

    /// <summary>
    /// A principal for a job or a test: <c>sub</c>, <c>name</c>, <c>scope</c> (space-separated) and <c>roles</c>, the
    /// claims the default <c>Auth:Claims</c> mapping reads (with another mapping, build the principal with its claims).
    /// </summary>
    public static ClaimsPrincipal Principal(string id, IEnumerable<string>? scopes = null, IEnumerable<string>? roles = null, string? name = null)
    {
        var identity = new ClaimsIdentity("in-process", "name", "roles");
        identity.AddClaim(new Claim("sub", id));
        identity.AddClaim(new Claim("name", name ?? id));
        if (scopes?.ToList() is { Count: > 0 } granted)
        {
            identity.AddClaim(new Claim("scope", string.Join(' ', granted)));
        }

        foreach (var role in roles ?? [])
        {
            identity.AddClaim(new Claim("roles", role));
        }

        return new ClaimsPrincipal(identity);
    }

    public async Task<CallToolResult> CallToolAsync(string name, IReadOnlyDictionary<string, object?>? arguments = null, ClaimsPrincipal? user = null, CancellationToken cancellationToken = default)
    {
        var parameters = new JsonObject { ["name"] = name, ["arguments"] = JsonSerializer.SerializeToNode(arguments ?? new Dictionary<string, object?>(), JsonRpcWire.Options) };
        return Read<CallToolResult>(await SendAsync(RequestMethods.ToolsCall, parameters, user, cancellationToken));
    }

    public async Task<ReadResourceResult> ReadResourceAsync(string uri, ClaimsPrincipal? user = null, CancellationToken cancellationToken = default) =>
        Read<ReadResourceResult>(await SendAsync(RequestMethods.ResourcesRead, new JsonObject { ["uri"] = uri }, user, cancellationToken));

    public async Task<GetPromptResult> GetPromptAsync(string name, IReadOnlyDictionary<string, string>? arguments = null, ClaimsPrincipal? user = null, CancellationToken cancellationToken = default)
    {
        var parameters = new JsonObject { ["name"] = name, ["arguments"] = JsonSerializer.SerializeToNode(arguments ?? new Dictionary<string, string>(), JsonRpcWire.Options) };
        return Read<GetPromptResult>(await SendAsync(RequestMethods.PromptsGet, parameters, user, cancellationToken));
    }

    /// <summary>One page of <c>tools/list</c> as <paramref name="user"/> sees it (with <c>Authorization:HideForbidden</c>, only what it may call).</summary>
    public async Task<ListToolsResult> ListToolsAsync(ClaimsPrincipal? user = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        Read<ListToolsResult>(await SendAsync(RequestMethods.ToolsList, cursor is null ? [] : new JsonObject { ["cursor"] = cursor }, user, cancellationToken));

    /// <summary>
    /// Any request method of the 2026-07-28 revision with its params, as an agent bridge forwards it: the result as
    /// the wire has it (<c>resultType</c>, <c>_meta</c> included).
    /// </summary>
    /// <exception cref="McpProtocolException">The JSON-RPC error the server answered, with its code and message.</exception>
    public async Task<JsonObject> SendAsync(string method, JsonObject parameters, ClaimsPrincipal? user = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var rule = McpMethodTable.Find(method, McpEra.Stateless) ?? throw new McpProtocolException($"Method not found: '{method}'.", McpErrorCode.MethodNotFound);
        if (rule.Name == RequestMethods.SubscriptionsListen)
        {
            throw new McpProtocolException($"'{method}' holds a stream open and is not served in-process: use IMcpNotifier and the resource notifier instead.", McpErrorCode.MethodNotFound);
        }

        await using var scope = _scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<McpCaller>().Principal = user ?? new ClaimsPrincipal(new ClaimsIdentity());
        using var document = JsonDocument.Parse(parameters.ToJsonString(JsonRpcWire.Options));
        var call = new McpCall
        {
            Policy = _policy,
            Rule = rule,
            Id = new RequestId("in-process-" + Interlocked.Increment(ref _nextId)),
            Params = document.RootElement,
            ProtocolVersion = McpProtocol.StatelessVersions[^1],
            ClientInfo = ClientInfo,
            ClientCapabilities = new ClientCapabilities(),
            ProgressToken = McpCall.ProgressTokenOf(document.RootElement),
        };
        var dispatcher = scope.ServiceProvider.GetRequiredService<McpDispatcher>();
        var reply = await dispatcher.DispatchAsync(call, outbound: null, scope.ServiceProvider, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var response = (reply.HasUtf8 ? JsonNode.Parse(reply.Utf8.Span) : reply.Payload is { } payload ? JsonNode.Parse(payload) : null)?.AsObject()
            ?? throw new McpProtocolException($"'{method}' gave no answer.", McpErrorCode.InternalError);
        reply.Release();
        if (response["error"] is JsonObject error)
        {
            var code = error["code"]?.GetValue<int>() ?? (int)McpErrorCode.InternalError;
            throw new McpProtocolException(error["message"]?.GetValue<string>() ?? "Error.", (McpErrorCode)code);
        }

        return response["result"]!.AsObject();
    }

    private static T Read<T>(JsonObject result) => result.Deserialize<T>(McpJsonUtilities.DefaultOptions)
        ?? throw new McpProtocolException($"The result is not a {typeof(T).Name}.", McpErrorCode.InternalError);
}
