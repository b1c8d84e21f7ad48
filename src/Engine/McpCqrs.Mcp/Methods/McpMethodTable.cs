using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Output;
using McpCqrs.Mcp.Tasks;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary>What the response of a method may carry as cache hints in the stateless era (<c>ttlMs</c>, <c>cacheScope</c>).</summary>
public enum McpCacheHint
{
    /// <summary>Not cacheable: no hints.</summary>
    None,

    /// <summary>A list of the catalog: the configured list lifetime, private when the list depends on the caller.</summary>
    CatalogList,

    /// <summary><c>server/discover</c>: the configured list lifetime, always public.</summary>
    Discovery,

    /// <summary><c>resources/read</c>: the resource binding's own lifetime and scope.</summary>
    Resource,
}

/// <summary>One JSON-RPC method: the eras that serve it, how its params become a request, and its per-era rules.</summary>
/// <param name="Name">The method's name on the wire.</param>
/// <param name="Eras">The eras that serve it; elsewhere it is "method not found".</param>
/// <param name="Create">Params → the method's request.</param>
/// <param name="Handle">Serves the request in a request scope through its <see cref="IMcpMethodHandler{TRequest, TResult}"/>.</param>
/// <param name="NameField">The params field the stateless era mirrors in the <c>Mcp-Name</c> header, if any.</param>
/// <param name="MayRequireInput">Stateless era: the method may answer <c>input_required</c> instead of a result.</param>
/// <param name="Cache">The cache hints of its stateless result.</param>
public sealed record McpMethodRule(
    string Name,
    IReadOnlySet<McpEra> Eras,
    Func<JsonElement?, object> Create,
    Func<IServiceProvider, object, CancellationToken, ValueTask<object?>>? Handle,
    string? NameField = null,
    bool MayRequireInput = false,
    McpCacheHint Cache = McpCacheHint.None)
{
    /// <summary>
    /// The rate-limit binding of the method itself (<c>mcp/</c> + its name, e.g. <c>mcp/subscriptions/listen</c>),
    /// checked per caller before the method runs; not limited unless <c>RateLimiting:Bindings</c> lists policies for it.
    /// </summary>
    public string RateLimitBinding { get; } = "mcp/" + Name;

    public bool ServedIn(McpEra era) => Eras.Contains(era);
}

/// <summary>
/// The one table of MCP methods: name → eras, request and rules. The transport reads it to route, the era policies
/// to check and shape, telemetry to name methods (anything else is <c>_other</c>). A method added here is served.
/// </summary>
internal static class McpMethodTable
{
    private static readonly IReadOnlySet<McpEra> Session = new HashSet<McpEra> { McpEra.Session };
    private static readonly IReadOnlySet<McpEra> Stateless = new HashSet<McpEra> { McpEra.Stateless };
    private static readonly IReadOnlySet<McpEra> Both = new HashSet<McpEra> { McpEra.Session, McpEra.Stateless };

    private static readonly Dictionary<string, McpMethodRule> Rules = new McpMethodRule[]
    {
        Method<McpInitialize, InitializeResult>(RequestMethods.Initialize, Session, p => new McpInitialize(Read<InitializeRequestParams>(p, required: true)!)),
        Method<McpDiscover, DiscoverResult>(RequestMethods.ServerDiscover, Stateless, _ => new McpDiscover(), cache: McpCacheHint.Discovery),
        Method<McpPing, PingResult>(RequestMethods.Ping, Session, _ => new McpPing()),
        Method<McpListTools, ListToolsResult>(RequestMethods.ToolsList, Both, p => new McpListTools(Read<ListToolsRequestParams>(p)?.Cursor), cache: McpCacheHint.CatalogList),
        Method<McpCallTool, CallToolResult>(RequestMethods.ToolsCall, Both, ReadCallTool, nameField: "name", mayRequireInput: true),
        Method<McpSetLoggingLevel, EmptyResult>(RequestMethods.LoggingSetLevel, Session, p => new McpSetLoggingLevel(Read<SetLevelRequestParams>(p, required: true)!.Level)),
        Method<McpListResources, ListResourcesResult>(RequestMethods.ResourcesList, Both, p => new McpListResources(Read<ListResourcesRequestParams>(p)?.Cursor), cache: McpCacheHint.CatalogList),
        Method<McpListResourceTemplates, ListResourceTemplatesResult>(RequestMethods.ResourcesTemplatesList, Both, p => new McpListResourceTemplates(Read<ListResourceTemplatesRequestParams>(p)?.Cursor), cache: McpCacheHint.CatalogList),
        Method<McpReadResource, ReadResourceResult>(RequestMethods.ResourcesRead, Both, p => new McpReadResource(Uri(Read<ReadResourceRequestParams>(p, required: true)!.Uri)), nameField: "uri", mayRequireInput: true, cache: McpCacheHint.Resource),
        Method<McpSubscribe, EmptyResult>(RequestMethods.ResourcesSubscribe, Session, p => new McpSubscribe(Uri(Read<SubscribeRequestParams>(p, required: true)!.Uri))),
        Method<McpUnsubscribe, EmptyResult>(RequestMethods.ResourcesUnsubscribe, Session, p => new McpUnsubscribe(Uri(Read<UnsubscribeRequestParams>(p, required: true)!.Uri))),
        Method<McpListPrompts, ListPromptsResult>(RequestMethods.PromptsList, Both, p => new McpListPrompts(Read<ListPromptsRequestParams>(p)?.Cursor), cache: McpCacheHint.CatalogList),
        Method<McpGetPrompt, GetPromptResult>(RequestMethods.PromptsGet, Both, p =>
        {
            var get = Read<GetPromptRequestParams>(p, required: true)!;
            return string.IsNullOrEmpty(get.Name)
                ? throw new McpProtocolException("prompts/get needs a prompt name in params.name.", McpErrorCode.InvalidParams)
                : new McpGetPrompt(get.Name, get.Arguments?.ToDictionary(a => a.Key, a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString()! : a.Value.GetRawText()));
        }, nameField: "name", mayRequireInput: true),
        Method<McpComplete, CompleteResult>(RequestMethods.CompletionComplete, Both, p => new McpComplete(Read<CompleteRequestParams>(p, required: true)!)),
        Method<Listen.McpListen, Listen.McpStream>(RequestMethods.SubscriptionsListen, Stateless, p => new Listen.McpListen(
            p is { ValueKind: JsonValueKind.Object } listen && listen.TryGetProperty("notifications"u8, out var notifications) && notifications.ValueKind == JsonValueKind.Object
                ? (JsonObject)JsonNode.Parse(notifications.GetRawText())!
                : [])),
        Method<McpGetTask, JsonObject>(McpTaskMethods.Get, Both, p => new McpGetTask(TaskId(p)), nameField: "taskId"),
        Method<McpUpdateTask, JsonObject>(McpTaskMethods.Update, Both, p => new McpUpdateTask(
            TaskId(p),
            p is { ValueKind: JsonValueKind.Object } update && update.TryGetProperty("inputResponses"u8, out var answers) && answers.ValueKind == JsonValueKind.Object
                ? answers.EnumerateObject().ToDictionary(a => a.Name, a => JsonNode.Parse(a.Value.GetRawText()), StringComparer.Ordinal)
                : new Dictionary<string, JsonNode?>()), nameField: "taskId"),
        Method<McpCancelTask, JsonObject>(McpTaskMethods.Cancel, Both, p => new McpCancelTask(TaskId(p)), nameField: "taskId"),
        Method<McpTaskResult, JsonObject>(McpTaskMethods.Result, Session, p => new McpTaskResult(TaskId(p))),
        Method<McpListTasks, JsonObject>(McpTaskMethods.List, Session, p => new McpListTasks(JsonText.StringOf(p, "cursor"))),
    }.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>A method served by the <see cref="IMcpMethodHandler{TRequest, TResult}"/> of its request, resolved in the request's scope.</summary>
    private static McpMethodRule Method<TRequest, TResult>(
        string name,
        IReadOnlySet<McpEra> eras,
        Func<JsonElement?, TRequest> create,
        string? nameField = null,
        bool mayRequireInput = false,
        McpCacheHint cache = McpCacheHint.None)
        where TRequest : IMcpMethod<TResult> =>
        new(
            name,
            eras,
            p => create(p),
            (services, request, cancellationToken) => services.GetRequiredService<IMcpMethodHandler<TRequest, TResult>>().Handle((TRequest)request, cancellationToken).AsObject(),
            nameField,
            mayRequireInput,
            cache);

    /// <summary>Whether this server serves <paramref name="method"/> in any era.</summary>
    public static bool IsKnown(string method) => Rules.ContainsKey(method);

    /// <summary>The rule of <paramref name="method"/> in <paramref name="era"/>, or null when that era does not serve it.</summary>
    public static McpMethodRule? Find(string method, McpEra era) =>
        Rules.TryGetValue(method, out var rule) && rule.ServedIn(era) ? rule : null;

    /// <summary>
    /// The rule of <paramref name="method"/> in <paramref name="era"/>; for a method that era does not serve, a rule
    /// whose request is "method not found" (−32601), so the call is answered like any other error.
    /// </summary>
    public static McpMethodRule Resolve(string method, McpEra era) =>
        Find(method, era) ?? new McpMethodRule(method, new HashSet<McpEra> { era }, _ => throw new McpProtocolException($"Method not found: '{method}'.", McpErrorCode.MethodNotFound), null);

    /// <summary>The request for <paramref name="method"/> in <paramref name="era"/>; -32601 when there is none, -32602 when the params do not fit.</summary>
    public static object Create(string method, JsonElement? parameters, McpEra era = McpEra.Session) =>
        Find(method, era)?.Create is { } create
            ? create(parameters)
            : throw new McpProtocolException($"Method not found: '{method}'.", McpErrorCode.MethodNotFound);

    private static string TaskId(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("taskId"u8, out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } taskId
            ? taskId
            : throw new McpProtocolException("This method needs the task's id in params.taskId.", McpErrorCode.InvalidParams);

    private static string Uri(string? uri) =>
        string.IsNullOrEmpty(uri) ? throw new McpProtocolException("This method needs a resource URI in params.uri.", McpErrorCode.InvalidParams) : uri;

    /// <summary>
    /// <c>tools/call</c>'s params read off the parsed document as they are (the hottest method: no params object, no
    /// copy of each argument); the same checks as the params type: an object, a string <c>name</c>, an object (or
    /// null) <c>arguments</c> and <c>_meta</c>.
    /// </summary>
    private static McpCallTool ReadCallTool(JsonElement? parameters)
    {
        if (parameters is not { } p)
        {
            throw new McpProtocolException("This method needs params.", McpErrorCode.InvalidParams);
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("$");
        }

        string? name = null;
        if (p.TryGetProperty("name"u8, out var n))
        {
            name = n.ValueKind == JsonValueKind.String ? n.GetString() : n.ValueKind == JsonValueKind.Null ? null : throw Invalid("$.name");
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new McpProtocolException("tools/call needs a tool name in params.name.", McpErrorCode.InvalidParams);
        }

        return new McpCallTool(name, null, OutputFormats.FromMeta(ObjectOrNull(p, "_meta"u8, "$._meta"))) { ArgumentsJson = ObjectOrNull(p, "arguments"u8, "$.arguments") };

        static JsonElement? ObjectOrNull(JsonElement p, ReadOnlySpan<byte> property, string path) =>
            !p.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Object ? value
            : throw Invalid(path);

        static McpProtocolException Invalid(string path) =>
            new($"Invalid params at '{path}': the value does not fit the method's params.", McpErrorCode.InvalidParams);
    }

    private static T? Read<T>(JsonElement? parameters, bool required = false)
        where T : class
    {
        if (parameters is null)
        {
            return required
                ? throw new McpProtocolException("This method needs params.", McpErrorCode.InvalidParams)
                : null;
        }

        try
        {
            return parameters.Value.Deserialize<T>(McpJsonUtilities.DefaultOptions)
                ?? throw new McpProtocolException("This method needs params.", McpErrorCode.InvalidParams);
        }
        catch (JsonException ex)
        {
            var at = ex.Path is { Length: > 1 } path ? $" at '{path}'" : string.Empty;
            throw new McpProtocolException($"Invalid params{at}: the value does not fit the method's params.", McpErrorCode.InvalidParams);
        }
    }
}
