using McpCqrs.Mcp.Methods;
using System.Diagnostics;
using System.Text.Json;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp.Catalog;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// One span (<c>mcp.tools.call</c>, <c>mcp.resources.read</c>, ...) and one measurement per dispatched MCP
/// request, with the attributes of the OpenTelemetry MCP semantic conventions. Rejections before dispatch (bad
/// origin, bad JSON, unknown session) get neither: they are cheap and carry no method. The span keeps what the
/// caller sent (tool name, resource URI); the measurement carries only the bounded tags of <see cref="McpMetricTags"/>.
/// </summary>
public sealed class McpOperation : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> SpanNames = new(StringComparer.Ordinal);

    private readonly Activity? _activity;
    private readonly McpCatalog? _catalog;
    private readonly string? _method;
    private readonly string? _target;
    private readonly long _started;
    private string? _errorType;

    /// <summary>
    /// Starts the span and the measurement. With no listener on the project's spans and none on its request metrics
    /// (no exporter configured), nothing is worked out at all: neither the target nor the tags nor the span's name.
    /// </summary>
    public McpOperation(McpCatalog catalog, string method, RequestId? id, JsonElement? parameters, string? sessionId, string? protocolVersion)
    {
        var measured = ApplicationTelemetry.Requests.Enabled || ApplicationTelemetry.Duration.Enabled;
        var traced = ApplicationTelemetry.Source.HasListeners();
        if (!measured && !traced)
        {
            return;
        }

        var target = Target(method, parameters);
        if (measured)
        {
            // The tags are worked out when the measurement is recorded.
            (_catalog, _method, _target, _started) = (catalog, method, target?.Value, Stopwatch.GetTimestamp());
        }

        // Span names come from the bounded set of method tags, so the cache stays small.
        _activity = traced
            ? ApplicationTelemetry.Source.StartActivity(SpanNames.GetOrAdd(McpMetricTags.Method(method), static m => "mcp." + m.Replace('/', '.')), ActivityKind.Internal)
            : null;
        if (_activity is null)
        {
            return;
        }

        _activity.SetTag("mcp.method.name", method);
        _activity.SetTag("jsonrpc.request.id", id?.ToString());
        _activity.SetTag("mcp.session.id", sessionId);
        _activity.SetTag("mcp.protocol.version", protocolVersion);
        if (target is { } tag)
        {
            _activity.SetTag(tag.Key, tag.Value);
        }
    }

    /// <summary>The call failed with a JSON-RPC error.</summary>
    public void Failed(int code, string message)
    {
        var sent = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _errorType = McpMetricTags.ErrorType(code);
        _activity?.SetTag("rpc.response.status_code", sent);
        _activity?.SetTag("error.type", sent);
        _activity?.SetStatus(ActivityStatusCode.Error, message);
    }

    /// <summary>The call answered; a tool result with <c>isError</c> counts as a failed operation.</summary>
    public void Succeeded(object? result)
    {
        if (result is CallToolResult { IsError: true })
        {
            _errorType = "tool_error";
            _activity?.SetTag("error.type", _errorType);
            _activity?.SetStatus(ActivityStatusCode.Error, "tool_error");
        }
        else
        {
            _activity?.SetStatus(ActivityStatusCode.Ok);
        }
    }

    public void Dispose()
    {
        if (_catalog is not null)
        {
            var tags = McpMetricTags.Of(_catalog, _method!, _target);
            if (_errorType is not null)
            {
                tags.Add("error.type", _errorType);
            }

            ApplicationTelemetry.Requests.Add(1, tags);
            ApplicationTelemetry.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        }

        _activity?.Dispose();
    }

    /// <summary>The span attribute naming what the request is about, with the value the caller sent.</summary>
    private static KeyValuePair<string, string?>? Target(string method, JsonElement? parameters)
    {
        return method switch
        {
            RequestMethods.ToolsCall => new("gen_ai.tool.name", JsonText.StringOf(parameters, "name")),
            RequestMethods.PromptsGet => new("gen_ai.prompt.name", JsonText.StringOf(parameters, "name")),
            RequestMethods.ResourcesRead or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe => new("mcp.resource.uri", JsonText.StringOf(parameters, "uri")),
            _ => null,
        };
    }
}

/// <summary>
/// The tags of the MCP request metrics, each from a bounded set whatever callers send: the method when it is one
/// this server serves, the tool or prompt name when the catalog has it, a resource by the URI template (or fixed URI)
/// it was registered under — never the concrete URI. Anything else is <see cref="Unknown"/>.
/// </summary>
public static class McpMetricTags
{
    /// <summary>The value of a tag whose input is not known to this server.</summary>
    public const string Unknown = "_unknown";

    /// <summary>The resource a request is about, by its registered URI template (not a semantic-convention attribute).</summary>
    public const string ResourceTemplate = "mcpcqrs.resource.template";

    /// <summary>The method, when this server serves it; else <see cref="Unknown"/>.</summary>
    public static string Method(string method) => McpMethodTable.IsKnown(method) ? method : Unknown;

    /// <summary>The value of an error tag that is not a code of the JSON-RPC reserved range.</summary>
    public const string OtherError = "_other";

    /// <summary>
    /// A JSON-RPC error code as a tag: the reserved range (−32768 … −32000) as it is, any other code (a client's
    /// error answer relayed to its handler may carry any integer) as <see cref="OtherError"/>.
    /// </summary>
    public static string ErrorType(int code) =>
        code is >= -32768 and <= -32000 ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : OtherError;

    public static TagList Of(McpCatalog catalog, string method, string? target)
    {
        var tags = new TagList { { "mcp.method.name", Method(method) } };
        switch (method)
        {
            case RequestMethods.ToolsCall:
                tags.Add("gen_ai.tool.name", target is not null && catalog.TryGetTool(target, out var tool) ? tool.Name : Unknown);
                break;
            case RequestMethods.PromptsGet:
                tags.Add("gen_ai.prompt.name", target is not null && catalog.TryGetPrompt(target, out var prompt) ? prompt.Name : Unknown);
                break;
            case RequestMethods.ResourcesRead or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe:
                tags.Add(ResourceTemplate, target is not null && catalog.TryMatchResource(target, out var resource, out _) ? resource.UriTemplate : Unknown);
                break;
        }

        return tags;
    }
}
