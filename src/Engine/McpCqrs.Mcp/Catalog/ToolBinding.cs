using System.Text.Json;
using McpCqrs.Mcp.Output;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Sends a bound request through the mediator and returns its result. The default sends the request itself;
/// a tool whose request type the source-generated mediator does not know supplies its own.
/// </summary>
public delegate ValueTask<object?> ToolInvoker(IServiceProvider services, object request, CancellationToken cancellationToken);

/// <summary>One request exposed as one MCP tool: its wire description and how to call it.</summary>
public sealed class ToolBinding
{
    internal ToolBinding(Type requestType, Type resultType, Tool tool, ToolInvoker? invoker)
    {
        RequestType = requestType;
        ResultType = resultType;
        Tool = tool;
        Invoker = invoker;
    }

    public string Name => Tool.Name;

    /// <summary>The command or query the arguments are bound to.</summary>
    public Type RequestType { get; }

    /// <summary>What the handler returns.</summary>
    public Type ResultType { get; }

    /// <summary>The tool as <c>tools/list</c> shows it.</summary>
    public Tool Tool { get; }

    /// <summary>Null: the request goes to the mediator as it is.</summary>
    public ToolInvoker? Invoker { get; }

    /// <summary>
    /// Arguments mirrored in HTTP headers (<c>x-mcp-header</c> in the input schema): property → header token, so a
    /// stateless-era request must carry <c>Mcp-Param-{token}</c> with the argument's value.
    /// </summary>
    public IReadOnlyDictionary<string, string> HeaderParameters { get; internal init; } = new Dictionary<string, string>();

    /// <summary>Whether the result is wrapped as <c>{"result": ...}</c> because it is not a JSON object.</summary>
    public bool WrapsResult { get; internal init; }

    /// <summary>
    /// The tool's output format as registered; <see cref="OutputFormat.Default"/> leaves it to the server default. A
    /// call's <c>_meta</c> (<see cref="OutputFormats.MetaKey"/>) overrides it.
    /// </summary>
    public OutputFormat Output { get; internal init; }

    /// <summary>Whether a call may (or must) run as a task.</summary>
    public TaskSupport TaskSupport { get; internal init; }

    /// <summary>This tool's dispatch timeout; null: the server's <see cref="McpLimitsOptions.DispatchTimeout"/>.</summary>
    public TimeSpan? Timeout { get; internal init; }

    /// <summary>Marked public: anyone may call it, and it needs no permission to start outside Development.</summary>
    public bool IsPublic { get; internal init; }

    /// <summary>Whether the handler returns content blocks itself (<see cref="ToolContent"/>), not data.</summary>
    public bool ReturnsContent => ResultType == typeof(ToolContent);

    internal static JsonElement EmptyObjectSchema { get; } = JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""").RootElement.Clone();
}

/// <summary>
/// A handler result that is already MCP content (text, images, audio, embedded resources), for tools whose
/// answer is not a data object. Its blocks go into the tool result as they are.
/// </summary>
public sealed record ToolContent(IReadOnlyList<ContentBlock> Content, JsonElement? StructuredContent = null)
{
    /// <summary>Marks the result as a tool error (<c>isError</c>), for a handler that reports failure as content.</summary>
    public bool IsError { get; init; }
}
