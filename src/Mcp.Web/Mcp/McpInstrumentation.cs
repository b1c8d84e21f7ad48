using System.Diagnostics;
using System.Text.Json;
using McpCqrs.Application.Common.Diagnostics;
using McpCqrs.Application.Mcp.Sessions;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// One span (<c>mcp.tools.call</c>, <c>mcp.resources.read</c>, ...) and one measurement per dispatched MCP
/// request, with the attributes of the OpenTelemetry MCP semantic conventions. Rejections before dispatch (bad
/// origin, bad JSON, unknown session) get neither: they are cheap and carry no method.
/// </summary>
internal sealed class McpOperation : IDisposable
{
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TagList _tags;
    private string? _errorType;

    public McpOperation(string method, RequestId? id, JsonElement? parameters, string? sessionId, string? protocolVersion)
    {
        var target = Target(method, parameters);
        _tags = new TagList { { "mcp.method.name", method } };
        if (target is { } t)
        {
            _tags.Add(t.Key, t.Value);
        }

        _activity = ApplicationTelemetry.Source.StartActivity("mcp." + method.Replace('/', '.'), ActivityKind.Internal);
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
        _errorType = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _activity?.SetTag("rpc.response.status_code", _errorType);
        _activity?.SetTag("error.type", _errorType);
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
        var tags = _tags;
        if (_errorType is not null)
        {
            tags.Add("error.type", _errorType);
        }

        ApplicationTelemetry.Requests.Add(1, tags);
        ApplicationTelemetry.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        _activity?.Dispose();
    }

    private static KeyValuePair<string, object?>? Target(string method, JsonElement? parameters)
    {
        string? Text(string name) =>
            parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return method switch
        {
            RequestMethods.ToolsCall => new("gen_ai.tool.name", Text("name")),
            RequestMethods.PromptsGet => new("gen_ai.prompt.name", Text("name")),
            RequestMethods.ResourcesRead or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe => new("mcp.resource.uri", Text("uri")),
            _ => null,
        };
    }
}

/// <summary>The gauges that observe the transport: live sessions and open SSE streams. Created once per host.</summary>
internal sealed class McpGauges
{
    public McpGauges(ISessionStore sessions, OpenStreams streams)
    {
        ApplicationTelemetry.Meter.CreateObservableGauge(
            "mcp.server.sessions.active",
            () =>
            {
                var count = sessions.CountAsync(CancellationToken.None);
                return count.Wait(TimeSpan.FromSeconds(1)) ? count.Result : 0L;
            },
            "{session}",
            "Live MCP sessions (2025-11-25 era).");
        ApplicationTelemetry.Meter.CreateObservableGauge(
            "mcp.server.sse.streams.active",
            () => (long)streams.OpenCount,
            "{stream}",
            "Open standalone SSE streams on this instance.");
    }
}
