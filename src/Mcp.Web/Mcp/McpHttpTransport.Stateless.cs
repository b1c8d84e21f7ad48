using McpCqrs.Application.Mcp.Dispatch;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Common.RateLimiting;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Mcp.Tasks;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequiredException = McpCqrs.Application.Mcp.Context.InputRequiredException;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// The stateless revision (2026-07-28) on the same endpoint. A POST is modern when its params carry
/// <c>_meta["io.modelcontextprotocol/protocolVersion"]</c> or its <c>MCP-Protocol-Version</c> header names a version
/// the session-based era does not know; everything else keeps the 2025-11-25 behaviour untouched. A modern request
/// is checked in the order the revision sets (params._meta, version header, supported version, standard headers,
/// custom parameter headers, method, client capabilities), runs without a session, and its result carries
/// <c>resultType</c>, the server's identity and, for the cacheable methods, <c>ttlMs</c>/<c>cacheScope</c>.
/// </summary>
internal sealed partial class McpHttpTransport
{
    private const string MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
    private const string MetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
    private const string MetaClientInfo = "io.modelcontextprotocol/clientInfo";
    private const string MetaLogLevel = "io.modelcontextprotocol/logLevel";
    private const string MetaServerInfo = "io.modelcontextprotocol/serverInfo";
    private const string MetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";
    private const int HeaderMismatch = -32020;

    private static bool IsStatelessRequest(HttpContext http, JsonRpcEnvelope envelope)
    {
        if (envelope.ParamsElement is { ValueKind: JsonValueKind.Object } parameters && parameters.TryGetProperty("_meta"u8, out var meta)
            && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(MetaProtocolVersion, out _))
        {
            return true;
        }

        var header = http.Request.Headers[VersionHeader].ToString().Trim();
        return header.Length > 0 && !McpProtocol.IsSessionEra(header);
    }

    private async Task StatelessAsync(HttpContext http, JsonRpcEnvelope envelope)
    {
        if (envelope.Kind != JsonRpcKind.Request)
        {
            http.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var id = envelope.Id!.Value;
        StatelessCall call;
        try
        {
            call = Validate(http, envelope);
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
            return;
        }

        if (call.Rule.Create is null)
        {
            await ListenAsync(http, call);
            return;
        }

        var services = http.RequestServices;
        var context = services.GetRequiredService<McpRequestContext>();
        var stream = new StatelessResponseStream(http);
        context.Method = call.Method;
        context.RequestId = id;
        context.ProtocolVersion = call.Version;
        context.ClientInfo = call.ClientInfo;
        context.ClientCapabilities = call.Capabilities;
        context.LogLevel = call.LogLevel;
        context.ProgressToken = ProgressTokenOf(envelope.ParamsElement);
        context.IsStateless = true;
        context.Outbound = stream;
        context.InputResponses = (call.Params["inputResponses"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        context.TaskOptIn = call.TakesTasks ? new McpTaskOptIn(McpTaskShape.Extension) : null;

        var principal = services.GetRequiredService<ICurrentUser>().Id;
        var digest = RequestStateProtector.Digest(call.Method, call.Params);
        RequestStateCheck check = default;
        if (call.Params["requestState"] is JsonValue stateValue && stateValue.GetValueKind() == JsonValueKind.String)
        {
            // Used once, before the handler runs: a replay is refused, and a store that cannot answer is a 503.
            try
            {
                check = await stateProtector.UseAsync(stateValue.GetValue<string>(), principal, call.Method, digest, http.RequestAborted);
            }
            catch (McpLimitExceededException ex)
            {
                await stream.CompleteAsync(StatusCodes.Status429TooManyRequests, LimitError(id, ex), CancellationToken.None);
                return;
            }

            if (check.Refusal is { } refusal)
            {
                await stream.CompleteAsync(200, JsonRpcWire.Error(id, (int)McpErrorCode.InvalidParams, refusal), CancellationToken.None);
                return;
            }

            context.RequestState = check.State;
        }

        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var status = StatusCodes.Status200OK;
        string payload;
        using (var operation = new McpOperation(catalog, call.Method, id, envelope.ParamsElement, null, call.Version))
        {
            try
            {
                var message = call.Rule.Create!(envelope.ParamsElement);
                var result = await services.GetRequiredService<ISender>().Send((object)message, alive.Token);
                operation.Succeeded(result);
                payload = JsonRpcWire.Response(id, context.CreatedTask is { } created
                    ? WithServerInfo(McpTaskWire.Created(created, McpTaskShape.Extension))
                    : Complete(call, result));
            }
            catch (InputRequiredException ex) when (call.Rule.MayRequireInput)
            {
                operation.Succeeded(null);
                payload = JsonRpcWire.Response(id, InputRequired(ex, principal, call.Method, digest));
            }
            catch (McpProtocolException ex)
            {
                var (code, data) = StatelessError(ex, call);
                status = code == (int)McpErrorCode.MissingRequiredClientCapability ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
                operation.Failed(code, ex.Message);
                payload = JsonRpcWire.Error(id, code, ex.Message, data);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client closed the stream: in this era that cancels the request, and nothing more is sent.
                operation.Failed(RequestCancelled, "cancelled");
                return;
            }
            catch (Exception ex)
            {
                (status, payload) = FailurePayload(http, ex, id, operation, call.Method, "(stateless)");
                if (ex is RateLimitExceededException or RateLimitUnavailableException)
                {
                    await ReleaseStateAsync(check);
                }
            }
        }

        await stream.CompleteAsync(status, payload, CancellationToken.None);
    }

    /// <summary>
    /// A request refused by a rate limit before its handler ran gives its <c>requestState</c> back, so the retry the
    /// error asks for is accepted. If the store cannot answer now, the state stays used and the client starts over.
    /// </summary>
    private async ValueTask ReleaseStateAsync(RequestStateCheck check)
    {
        try
        {
            await stateProtector.ReleaseAsync(check, CancellationToken.None);
        }
        catch (SessionStoreUnavailableException ex)
        {
            LogStoreUnavailable(logger, ex.InnerException ?? ex);
        }
    }

    /// <summary>The checks of a modern request, in the order the revision gives them; each failure carries the request id.</summary>
    private StatelessCall Validate(HttpContext http, JsonRpcEnvelope envelope)
    {
        var id = envelope.Id;
        var method = envelope.Method!;
        if (envelope.Params is not JsonObject parameters || parameters["_meta"] is not JsonObject meta
            || meta[MetaProtocolVersion] is not JsonValue versionNode || versionNode.GetValueKind() != JsonValueKind.String
            || meta[MetaClientCapabilities] is not JsonObject capabilitiesNode)
        {
            throw new McpRefusal(McpStatus.BadRequest,
                (int)McpErrorCode.InvalidParams,
                $"params._meta must carry '{MetaProtocolVersion}' and '{MetaClientCapabilities}'.",
                id);
        }

        var version = versionNode.GetValue<string>();
        var header = http.Request.Headers[VersionHeader].ToString().Trim();
        if (header.Length == 0 || header != version)
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {VersionHeader} header must be present and equal params._meta['{MetaProtocolVersion}'].", id);
        }

        if (version != McpProtocol.StatelessVersion)
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.UnsupportedProtocolVersion, $"Unsupported protocol version '{version}'.", id)
            {
                ErrorData = new JsonObject { ["supported"] = new JsonArray([.. McpProtocol.StatelessVersions.Select(v => (JsonNode?)v)]), ["requested"] = version },
            };
        }

        if (StandardHeader(http, "Mcp-Method", id) != method)
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, "The Mcp-Method header must equal the request's method.", id);
        }

        var rule = McpMethodTable.Find(method, McpEra.Stateless);
        var nameField = rule?.NameField;
        if (nameField is not null && StandardHeader(http, "Mcp-Name", id) is var name && (name is null || name != Text(parameters[nameField])))
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The Mcp-Name header must equal params.{nameField}.", id);
        }

        if (method == RequestMethods.ToolsCall && catalog.TryGetTool(Text(parameters["name"]) ?? string.Empty, out var tool))
        {
            CheckParameterHeaders(http, tool, parameters["arguments"] as JsonObject, id);
        }

        if (rule is null)
        {
            throw new McpRefusal(McpStatus.NotFound, (int)McpErrorCode.MethodNotFound, $"Method not found: '{method}' (not part of protocol version {McpProtocol.StatelessVersion}).", id);
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
        return new StatelessCall(id!.Value, rule, version, parameters, capabilities, clientInfo, logLevel, takesTasks);
    }

    /// <summary>
    /// A standard request header's value: trimmed, with the <c>=?base64?…?=</c> form decoded. Missing → null;
    /// characters outside visible ASCII, or bad Base64 → -32020.
    /// </summary>
    private static string? StandardHeader(HttpContext http, string name, RequestId? id)
    {
        if (!http.Request.Headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        return DecodeHeaderValue(values.ToString(), name, id);
    }

    private static string DecodeHeaderValue(string raw, string name, RequestId? id)
    {
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
    private static void CheckParameterHeaders(HttpContext http, ToolBinding tool, JsonObject? arguments, RequestId? id)
    {
        foreach (var (property, token) in tool.HeaderParameters)
        {
            var value = arguments?[property];
            if (value is null)
            {
                continue;
            }

            var headerName = "Mcp-Param-" + token;
            var header = StandardHeader(http, headerName, id)
                ?? throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header must carry the value of argument '{property}'.", id);
            var matches = value.GetValueKind() switch
            {
                JsonValueKind.Number =>
                    decimal.TryParse(header, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    && decimal.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var argument)
                    && argument == n,
                JsonValueKind.True or JsonValueKind.False => string.Equals(header, value.ToJsonString(), StringComparison.OrdinalIgnoreCase),
                JsonValueKind.String => header == value.GetValue<string>(),
                _ => false,
            };
            if (!matches)
            {
                throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header does not match argument '{property}'.", id);
            }
        }
    }

    /// <summary>A complete result: <c>resultType</c>, the server's identity, and cache hints where the method is cacheable.</summary>
    private JsonObject Complete(StatelessCall call, object? result)
    {
        var node = result is null ? new JsonObject() : JsonSerializer.SerializeToNode(result, result.GetType(), JsonRpcWire.Options) as JsonObject ?? new JsonObject();
        node["resultType"] = "complete";
        WithServerInfo(node);
        (long Ttl, string Scope)? hints = call.Rule.Cache switch
        {
            McpCacheHint.Discovery => ((long)options.Value.ListCacheTtl.TotalMilliseconds, "public"),
            McpCacheHint.CatalogList => ((long)options.Value.ListCacheTtl.TotalMilliseconds, permissions.HidesForbidden ? "private" : "public"),
            McpCacheHint.Resource => catalog.TryMatchResource(Text(call.Params["uri"]) ?? string.Empty, out var resource, out _)
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

    private JsonObject InputRequired(InputRequiredException required, string? principal, string method, string digest)
    {
        var requests = new JsonObject();
        foreach (var (key, request) in required.Requests)
        {
            requests[key] = new JsonObject { ["method"] = request.Method, ["params"] = request.Params?.DeepClone() ?? new JsonObject() };
        }

        var node = new JsonObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = requests,
            ["requestState"] = stateProtector.Protect(required.State, principal, method, digest),
        };
        return WithServerInfo(node);
    }

    private JsonObject WithServerInfo(JsonObject node)
    {
        var meta = node["_meta"] as JsonObject ?? new JsonObject();
        meta[MetaServerInfo] = new JsonObject { ["name"] = serverInfo.Name, ["version"] = serverInfo.Version };
        node["_meta"] = meta;
        return node;
    }

    /// <summary>Error codes of the stateless era: an unknown resource is -32602 (not -32002); a missing capability names it.</summary>
    private static (int Code, object? Data) StatelessError(McpProtocolException error, StatelessCall call) => (int)error.ErrorCode switch
    {
        (int)McpErrorCode.ResourceNotFound => ((int)McpErrorCode.InvalidParams, new JsonObject { ["uri"] = Text(call.Params["uri"]) }),
        (int)McpErrorCode.MissingRequiredClientCapability => (
            (int)McpErrorCode.MissingRequiredClientCapability,
            new JsonObject { ["requiredCapabilities"] = RequiredCapabilities(error.Data["requiredCapabilities"]) }),
        var code => (code, DataOf(error)),
    };

    /// <summary>A capability named by its key (<c>"sampling"</c>), or given whole as ClientCapabilities (extensions).</summary>
    private static JsonNode RequiredCapabilities(object? required) =>
        required is JsonNode whole ? whole.DeepClone() : new JsonObject { [required?.ToString() ?? "unknown"] = new JsonObject() };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>
    /// <c>subscriptions/listen</c>: acknowledges what it will send, then streams the opted-in notifications (each
    /// tagged with the subscription id) until the client leaves; on shutdown, or after
    /// <see cref="McpLimitsOptions.MaxStreamDuration"/>, it delivers what is queued and ends with the listen result,
    /// so the client knows to listen again. Refused: more streams than a principal may hold, more task ids than a listen
    /// may name, and resources the caller cannot read.
    /// </summary>
    private async Task ListenAsync(HttpContext http, StatelessCall call)
    {
        var limits = LimitsOf(http);
        using var place = listeners.TryOpen(TaskRules.OwnerOf(http.RequestServices.GetRequiredService<ICurrentUser>()), limits.MaxListenStreamsPerPrincipal);
        if (place is null)
        {
            var limit = McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxListenStreamsPerPrincipal), limits.MaxListenStreamsPerPrincipal, $"At most {limits.MaxListenStreamsPerPrincipal} listen streams may be open at once; close one first.");
            await WriteJsonAsync(http, StatusCodes.Status200OK, LimitError(call.Id, limit));
            return;
        }


        if (await ListenFilterAsync(http, call) is not { } filter)
        {
            return;
        }

        var subscriptionId = JsonSerializer.SerializeToNode(call.Id, JsonRpcWire.Options);
        var channel = Channel.CreateUnbounded<JsonRpcNotification>(new UnboundedChannelOptions { SingleReader = true });
        var registration = listeners.Register(filter, n => channel.Writer.TryWrite(n));
        using var expiry = new CancellationTokenSource(limits.MaxStreamDuration, clock);
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping, expiry.Token);

        SseFormat.StartResponse(http.Response);
        var honoured = new JsonObject();
        if (filter.Tools)
        {
            honoured["toolsListChanged"] = true;
        }

        if (filter.Prompts)
        {
            honoured["promptsListChanged"] = true;
        }

        if (filter.Resources)
        {
            honoured["resourcesListChanged"] = true;
        }

        if (filter.ResourceUris.Count > 0)
        {
            honoured["resourceSubscriptions"] = new JsonArray([.. filter.ResourceUris.Select(u => (JsonNode?)u)]);
        }

        if (filter.TaskIds.Count > 0)
        {
            honoured["taskIds"] = new JsonArray([.. filter.TaskIds.Select(t => (JsonNode?)t)]);
        }

        try
        {
            await WriteDataAsync(http, Tagged(new JsonRpcNotification { Method = NotificationMethods.SubscriptionsAcknowledgedNotification, Params = new JsonObject { ["notifications"] = honoured } }, subscriptionId), alive.Token);
            while (!alive.IsCancellationRequested)
            {
                if (!await WaitOrKeepAliveAsync(http, channel.Reader, alive.Token))
                {
                    continue;
                }

                while (channel.Reader.TryRead(out var notification))
                {
                    await WriteDataAsync(http, Tagged(notification, subscriptionId), alive.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            registration.Dispose();
        }

        if (!http.RequestAborted.IsCancellationRequested)
        {
            try
            {
                // A graceful end: what was queued for the stream is delivered before the listen result.
                while (channel.Reader.TryRead(out var notification))
                {
                    await WriteDataAsync(http, Tagged(notification, subscriptionId), http.RequestAborted);
                }

                var end = WithServerInfo(new JsonObject { ["resultType"] = "complete" });
                ((JsonObject)end["_meta"]!)[MetaSubscriptionId] = subscriptionId?.DeepClone();
                await WriteDataAsync(http, JsonRpcWire.Response(call.Id, end), http.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client left meanwhile: nothing more to send.
            }
        }
    }

    private static string Tagged(JsonRpcNotification notification, JsonNode? subscriptionId)
    {
        var parameters = notification.Params?.DeepClone() as JsonObject ?? new JsonObject();
        var meta = parameters["_meta"] as JsonObject ?? new JsonObject();
        meta[MetaSubscriptionId] = subscriptionId?.DeepClone();
        parameters["_meta"] = meta;
        return JsonRpcWire.Message(new JsonRpcNotification { Method = notification.Method, Params = parameters });
    }

    private static async Task WriteDataAsync(HttpContext http, string data, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync($"event: message\ndata: {data}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private sealed record StatelessCall(
        RequestId Id,
        McpMethodRule Rule,
        string Version,
        JsonObject Params,
        ClientCapabilities? Capabilities,
        Implementation? ClientInfo,
        LoggingLevel? LogLevel,
        bool TakesTasks)
    {
        public string Method => Rule.Name;
    }
}

/// <summary>
/// The answer to one stateless request: JSON, or SSE when the handler sends notifications (progress, log) before
/// its result. No event ids, no replay, no server-to-client requests (input is asked with <c>input_required</c>).
/// </summary>
internal sealed class StatelessResponseStream(HttpContext http) : IMcpOutbound
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _streaming;

    public async ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_streaming)
            {
                _streaming = true;
                SseFormat.StartResponse(http.Response);
            }

            await http.Response.WriteAsync($"event: message\ndata: {JsonRpcWire.Message(message)}\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A stateless request cannot send requests to the client; IClientInput asks with an input_required result.");

    public ValueTask CloseStreamAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async Task CompleteAsync(int status, string payload, CancellationToken cancellationToken)
    {
        if (!_streaming)
        {
            await McpHttpTransport.WriteJsonAsync(http, status, payload, cancellationToken);
            return;
        }

        await http.Response.WriteAsync($"event: message\ndata: {payload}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
