using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Common.Security;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Dispatch;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Tasks;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using InputRequiredException = McpCqrs.Application.Mcp.Context.InputRequiredException;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Eras;

/// <summary>
/// The stateless era (2026-07-28). A request is checked in the order the revision sets (params._meta, version
/// header, supported version, standard headers, custom parameter headers, method, client capabilities) and runs
/// without a session; its result carries <c>resultType</c>, the server's identity and, for the cacheable methods,
/// <c>ttlMs</c>/<c>cacheScope</c>; input is asked for with <c>input_required</c> and a sealed, single-use
/// <c>requestState</c>; an unknown resource is −32602 and a missing client capability is named (HTTP 400); a client
/// that leaves cancels its request and is sent nothing.
/// </summary>
public sealed class StatelessEraPolicy(
    McpCatalog catalog,
    McpServerInfo serverInfo,
    McpProtocolOptions options,
    PermissionEvaluator permissions,
    RequestStateProtector states) : McpEraPolicy
{
    public const string VersionHeader = "MCP-Protocol-Version";
    public const string MetaServerInfo = "io.modelcontextprotocol/serverInfo";
    public const string MetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

    private const string MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
    private const string MetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
    private const string MetaClientInfo = "io.modelcontextprotocol/clientInfo";
    private const string MetaLogLevel = "io.modelcontextprotocol/logLevel";
    private const int HeaderMismatch = -32020;

    public override McpEra Era => McpEra.Stateless;

    /// <summary>
    /// Whether a POSTed message belongs to this era: its params carry <c>_meta["io.modelcontextprotocol/protocolVersion"]</c>,
    /// or its version header names a revision the session era does not know.
    /// </summary>
    public static bool Claims(JsonRpcEnvelope envelope, string? versionHeader)
    {
        if (envelope.ParamsElement is { ValueKind: JsonValueKind.Object } parameters && parameters.TryGetProperty("_meta"u8, out var meta)
            && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(MetaProtocolVersion, out _))
        {
            return true;
        }

        var header = versionHeader?.Trim() ?? string.Empty;
        return header.Length > 0 && !McpProtocol.IsSessionEra(header);
    }

    /// <summary>The checks of a request, in the order the revision gives them; each refusal carries the request id.</summary>
    /// <param name="envelope">The request.</param>
    /// <param name="header">The value of a request header by name, or null when it is absent.</param>
    public McpCall Admit(JsonRpcEnvelope envelope, Func<string, string?> header)
    {
        var id = envelope.Id;
        var method = envelope.Method!;
        if (envelope.Params is not JsonObject parameters || parameters["_meta"] is not JsonObject meta
            || meta[MetaProtocolVersion] is not JsonValue versionNode || versionNode.GetValueKind() != JsonValueKind.String
            || meta[MetaClientCapabilities] is not JsonObject capabilitiesNode)
        {
            throw new McpRefusal(
                McpStatus.BadRequest,
                (int)McpErrorCode.InvalidParams,
                $"params._meta must carry '{MetaProtocolVersion}' and '{MetaClientCapabilities}'.",
                id);
        }

        var version = versionNode.GetValue<string>();
        var versionHeader = header(VersionHeader)?.Trim() ?? string.Empty;
        if (versionHeader.Length == 0 || versionHeader != version)
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {VersionHeader} header must be present and equal params._meta['{MetaProtocolVersion}'].", id);
        }

        if (!McpProtocol.StatelessVersions.Contains(version))
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.UnsupportedProtocolVersion, $"Unsupported protocol version '{version}'.", id)
            {
                ErrorData = new JsonObject { ["supported"] = new JsonArray([.. McpProtocol.StatelessVersions.Select(v => (JsonNode?)v)]), ["requested"] = version },
            };
        }

        if (StandardHeader(header, "Mcp-Method", id) != method)
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, "The Mcp-Method header must equal the request's method.", id);
        }

        var rule = McpMethodTable.Find(method, McpEra.Stateless);
        if (rule?.NameField is { } nameField && (StandardHeader(header, "Mcp-Name", id) is not { } name || name != Text(parameters[nameField])))
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The Mcp-Name header must equal params.{nameField}.", id);
        }

        if (method == RequestMethods.ToolsCall && catalog.TryGetTool(Text(parameters["name"]) ?? string.Empty, out var tool))
        {
            CheckParameterHeaders(header, tool, parameters["arguments"] as JsonObject, id);
        }

        if (rule is null)
        {
            throw new McpRefusal(McpStatus.NotFound, (int)McpErrorCode.MethodNotFound, $"Method not found: '{method}' (not part of protocol version {version}).", id);
        }

        LoggingLevel? logLevel = null;
        if (meta[MetaLogLevel] is { } levelNode)
        {
            // Only the level names of the specification; numbers are not levels.
            logLevel = Text(levelNode) switch
            {
                "debug" => LoggingLevel.Debug,
                "info" => LoggingLevel.Info,
                "notice" => LoggingLevel.Notice,
                "warning" => LoggingLevel.Warning,
                "error" => LoggingLevel.Error,
                "critical" => LoggingLevel.Critical,
                "alert" => LoggingLevel.Alert,
                "emergency" => LoggingLevel.Emergency,
                _ => throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidParams, $"'{MetaLogLevel}' must be one of debug, info, notice, warning, error, critical, alert, emergency.", id),
            };
        }

        ClientCapabilities? capabilities;
        Implementation? clientInfo;
        try
        {
            capabilities = capabilitiesNode.Deserialize<ClientCapabilities>(McpJsonUtilities.DefaultOptions);
            clientInfo = meta[MetaClientInfo]?.Deserialize<Implementation>(McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidParams, "params._meta holds malformed client capabilities or client info.", id);
        }

        var takesTasks = capabilitiesNode["extensions"] is JsonObject extensions && extensions[McpTaskWire.ExtensionId] is JsonObject;
        return new McpCall
        {
            Policy = this,
            Rule = rule,
            Id = id!.Value,
            Params = envelope.ParamsElement,
            ParamsTree = parameters,
            ProtocolVersion = version,
            ClientInfo = clientInfo,
            ClientCapabilities = capabilities,
            LogLevel = logLevel,
            ProgressToken = McpCall.ProgressTokenOf(envelope.ParamsElement),
            TaskOptIn = takesTasks ? new McpTaskOptIn(McpEra.Stateless) : null,
            InputResponses = (parameters["inputResponses"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>A <c>requestState</c> is used once, before the handler runs: a replay is refused (−32602), a store that cannot answer is a 503.</summary>
    public override async ValueTask BeforeAsync(McpCall call, object message, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        call.Digest = RequestStateProtector.Digest(call.Method, call.ParamsTree);
        if (call.ParamsTree?["requestState"] is not JsonValue stateValue || stateValue.GetValueKind() != JsonValueKind.String)
        {
            return;
        }

        var check = await states.UseAsync(stateValue.GetValue<string>(), Principal(services), call.Method, call.Digest, cancellationToken);
        if (check.Refusal is { } refusal)
        {
            throw new McpProtocolException(refusal, McpErrorCode.InvalidParams);
        }

        call.StateCheck = check;
        context.RequestState = check.State;
    }

    public override ValueTask<McpReply> ResultAsync(McpCall call, object? result, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken) =>
        ValueTask.FromResult(result is Listen.McpStream stream ? McpReply.None with { Stream = stream } : McpReply.Ok(JsonRpcWire.Response(call.Id, context.CreatedTask is { } created
            ? WithServerInfo(McpTaskWire.Created(created, McpEra.Stateless))
            : Complete(call, result))));

    public override object? InputRequired(McpCall call, InputRequiredException required, IServiceProvider services)
    {
        var requests = new JsonObject();
        foreach (var (key, request) in required.Requests)
        {
            requests[key] = new JsonObject { ["method"] = request.Method, ["params"] = request.Params?.DeepClone() ?? new JsonObject() };
        }

        return WithServerInfo(new JsonObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = requests,
            ["requestState"] = states.Protect(required.State, Principal(services), call.Method, call.Digest ?? RequestStateProtector.Digest(call.Method, call.ParamsTree)),
        });
    }

    /// <summary>An unknown resource is −32602 (not −32002); a missing capability names it and is sent with HTTP 400.</summary>
    public override (McpStatus Status, int Code, object? Data) ProtocolError(McpCall call, McpProtocolException error) => (int)error.ErrorCode switch
    {
        (int)McpErrorCode.ResourceNotFound => (McpStatus.Ok, (int)McpErrorCode.InvalidParams, new JsonObject { ["uri"] = Text(call.ParamsTree?["uri"]) }),
        (int)McpErrorCode.MissingRequiredClientCapability => (
            McpStatus.BadRequest,
            (int)McpErrorCode.MissingRequiredClientCapability,
            new JsonObject { ["requiredCapabilities"] = RequiredCapabilities(error.Data["requiredCapabilities"]) }),
        var code => (McpStatus.Ok, code, McpErrors.DataOf(error)),
    };

    /// <summary>The client closed the stream: in this era that cancels the request, and nothing more is sent.</summary>
    public override McpReply Cancelled(McpCall call) => McpReply.None;

    /// <summary>
    /// A request refused by a rate limit before its handler ran gives its <c>requestState</c> back, so the retry the
    /// error asks for is accepted. If the store cannot answer now, the state stays used and the client starts over.
    /// </summary>
    public override async ValueTask RefusedAsync(McpCall call, IServiceProvider services)
    {
        try
        {
            await states.ReleaseAsync(call.StateCheck, CancellationToken.None);
        }
        catch (Sessions.SessionStoreUnavailableException)
        {
            // The state stays used: the client sends the request again without it.
        }
    }

    /// <summary>Adds the server's identity to a result's <c>_meta</c>.</summary>
    public JsonObject WithServerInfo(JsonObject node)
    {
        var meta = node["_meta"] as JsonObject ?? new JsonObject();
        meta[MetaServerInfo] = new JsonObject { ["name"] = serverInfo.Name, ["version"] = serverInfo.Version };
        node["_meta"] = meta;
        return node;
    }

    /// <summary>A complete result: <c>resultType</c>, the server's identity, and cache hints where the method is cacheable.</summary>
    private JsonObject Complete(McpCall call, object? result)
    {
        var node = result is null ? new JsonObject() : JsonSerializer.SerializeToNode(result, result.GetType(), JsonRpcWire.Options) as JsonObject ?? new JsonObject();
        node["resultType"] = "complete";
        WithServerInfo(node);
        (long Ttl, string Scope)? hints = call.Rule.Cache switch
        {
            McpCacheHint.Discovery => ((long)options.ListCacheTtl.TotalMilliseconds, "public"),
            McpCacheHint.CatalogList => ((long)options.ListCacheTtl.TotalMilliseconds, permissions.HidesForbidden ? "private" : "public"),
            McpCacheHint.Resource => catalog.TryMatchResource(Text(call.ParamsTree?["uri"]) ?? string.Empty, out var resource, out _)
                ? (resource.CacheTtlMs, resource.CacheScope)
                : (0L, "private"),
            _ => null,
        };
        if (hints is { } cache)
        {
            node["ttlMs"] = cache.Ttl;
            node["cacheScope"] = cache.Scope;
        }

        return node;
    }

    private static string? Principal(IServiceProvider services) => services.GetRequiredService<ICurrentUser>().Id;

    /// <summary>A capability named by its key (<c>"sampling"</c>), or given whole as ClientCapabilities (extensions).</summary>
    private static JsonNode RequiredCapabilities(object? required) =>
        required is JsonNode whole ? whole.DeepClone() : new JsonObject { [required?.ToString() ?? "unknown"] = new JsonObject() };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>
    /// A standard request header's value: trimmed, with the <c>=?base64?…?=</c> form decoded. Missing → null;
    /// characters outside visible ASCII, or bad Base64 → -32020.
    /// </summary>
    private static string? StandardHeader(Func<string, string?> header, string name, RequestId? id)
    {
        if (header(name) is not { } raw)
        {
            return null;
        }

        var value = raw.Trim(' ', '\t');
        if (value.Any(c => c < 0x20 || c > 0x7E))
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {name} header holds characters that are not visible ASCII; use the =?base64?...?= form.", id);
        }

        if (value.StartsWith("=?base64?", StringComparison.Ordinal) && value.EndsWith("?=", StringComparison.Ordinal) && value.Length >= "=?base64??=".Length)
        {
            var encoded = value["=?base64?".Length..^2];
            var bytes = new byte[encoded.Length];
            if (encoded.Length % 4 != 0 || !Convert.TryFromBase64String(encoded, bytes, out var written))
            {
                throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {name} header's base64 value is not valid (padded standard Base64 is required).", id);
            }

            return new UTF8Encoding(false, true).GetString(bytes, 0, written);
        }

        return value;
    }

    /// <summary>Tool arguments marked <c>x-mcp-header</c> must be mirrored in <c>Mcp-Param-{Name}</c> headers.</summary>
    private static void CheckParameterHeaders(Func<string, string?> header, ToolBinding tool, JsonObject? arguments, RequestId? id)
    {
        foreach (var (property, token) in tool.HeaderParameters)
        {
            var value = arguments?[property];
            if (value is null)
            {
                continue;
            }

            var headerName = "Mcp-Param-" + token;
            var text = StandardHeader(header, headerName, id)
                ?? throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header must carry the value of argument '{property}'.", id);
            var matches = value.GetValueKind() switch
            {
                JsonValueKind.Number =>
                    decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                    && decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var argument)
                    && argument == n,
                JsonValueKind.True or JsonValueKind.False => string.Equals(text, value.ToJsonString(), StringComparison.OrdinalIgnoreCase),
                JsonValueKind.String => text == value.GetValue<string>(),
                _ => false,
            };
            if (!matches)
            {
                throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header does not match argument '{property}'.", id);
            }
        }
    }
}
