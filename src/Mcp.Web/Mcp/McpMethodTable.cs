using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Output;
using McpCqrs.Application.Mcp.Tasks;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// JSON-RPC method name → mediator request. This is all the web layer knows of MCP methods: it reads the
/// params into the request and leaves the meaning to the handlers in the application layer.
/// </summary>
internal static class McpMethodTable
{
    private static readonly Dictionary<string, Func<JsonElement?, IMessage>> Methods = new(StringComparer.Ordinal)
    {
        [RequestMethods.Initialize] = p => new McpInitialize(Read<InitializeRequestParams>(p, required: true)!),
        [RequestMethods.Ping] = _ => new McpPing(),
        [RequestMethods.ToolsList] = p => new McpListTools(Read<ListToolsRequestParams>(p)?.Cursor),
        [RequestMethods.ToolsCall] = p =>
        {
            var call = Read<CallToolRequestParams>(p, required: true)!;
            return string.IsNullOrEmpty(call.Name)
                ? throw new McpProtocolException("tools/call needs a tool name in params.name.", McpErrorCode.InvalidParams)
                : new McpCallTool(call.Name, call.Arguments, OutputFormats.FromMeta(call.Meta));
        },
        [RequestMethods.LoggingSetLevel] = p => new McpSetLoggingLevel(Read<SetLevelRequestParams>(p, required: true)!.Level),
        [RequestMethods.ResourcesList] = p => new McpListResources(Read<ListResourcesRequestParams>(p)?.Cursor),
        [RequestMethods.ResourcesTemplatesList] = p => new McpListResourceTemplates(Read<ListResourceTemplatesRequestParams>(p)?.Cursor),
        [RequestMethods.ResourcesRead] = p => new McpReadResource(Uri(Read<ReadResourceRequestParams>(p, required: true)!.Uri)),
        [RequestMethods.ResourcesSubscribe] = p => new McpSubscribe(Uri(Read<SubscribeRequestParams>(p, required: true)!.Uri)),
        [RequestMethods.ResourcesUnsubscribe] = p => new McpUnsubscribe(Uri(Read<UnsubscribeRequestParams>(p, required: true)!.Uri)),
        [RequestMethods.PromptsList] = p => new McpListPrompts(Read<ListPromptsRequestParams>(p)?.Cursor),
        [RequestMethods.PromptsGet] = p =>
        {
            var get = Read<GetPromptRequestParams>(p, required: true)!;
            return string.IsNullOrEmpty(get.Name)
                ? throw new McpProtocolException("prompts/get needs a prompt name in params.name.", McpErrorCode.InvalidParams)
                : new McpGetPrompt(get.Name, get.Arguments?.ToDictionary(a => a.Key, a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString()! : a.Value.GetRawText()));
        },
        [RequestMethods.CompletionComplete] = p => new McpComplete(Read<CompleteRequestParams>(p, required: true)!),
        [McpTaskMethods.Get] = p => new McpGetTask(TaskId(p)),
        [McpTaskMethods.Update] = p => new McpUpdateTask(
            TaskId(p),
            p is { ValueKind: JsonValueKind.Object } update && update.TryGetProperty("inputResponses"u8, out var answers) && answers.ValueKind == JsonValueKind.Object
                ? answers.EnumerateObject().ToDictionary(a => a.Name, a => JsonNode.Parse(a.Value.GetRawText()), StringComparer.Ordinal)
                : new Dictionary<string, JsonNode?>()),
        [McpTaskMethods.Cancel] = p => new McpCancelTask(TaskId(p)),
        [McpTaskMethods.Result] = p => new McpTaskResult(TaskId(p)),
        [McpTaskMethods.List] = p => new McpListTasks(p is { ValueKind: JsonValueKind.Object } list && list.TryGetProperty("cursor"u8, out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null),
    };

    private static string TaskId(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("taskId"u8, out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } taskId
            ? taskId
            : throw new McpProtocolException("This method needs the task's id in params.taskId.", McpErrorCode.InvalidParams);

    private static string Uri(string? uri) =>
        string.IsNullOrEmpty(uri) ? throw new McpProtocolException("This method needs a resource URI in params.uri.", McpErrorCode.InvalidParams) : uri;

    /// <summary>
    /// Whether this server serves <paramref name="method"/>: a method of this table, or <c>server/discover</c> and
    /// <c>subscriptions/listen</c>, which the stateless era serves beside it.
    /// </summary>
    public static bool IsKnown(string method) =>
        Methods.ContainsKey(method) || method is RequestMethods.ServerDiscover or RequestMethods.SubscriptionsListen;

    /// <summary>The request for <paramref name="method"/>; -32601 when there is none, -32602 when the params do not fit.</summary>
    public static IMessage Create(string method, JsonElement? parameters) =>
        Methods.TryGetValue(method, out var create)
            ? create(parameters)
            : throw new McpProtocolException($"Method not found: '{method}'.", McpErrorCode.MethodNotFound);

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
