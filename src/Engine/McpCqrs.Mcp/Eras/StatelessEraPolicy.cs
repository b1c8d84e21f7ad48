using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Tasks;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using InputRequiredException = McpCqrs.Mcp.Context.InputRequiredException;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Eras;

/// <summary>
/// The stateless era (2026-07-28). A request is checked in the order the revision sets (params._meta, version
/// header, supported version, standard headers, custom parameter headers, method, client capabilities) and runs
/// without a session; its result carries <c>resultType</c>, the server's identity and, for the cacheable methods,
/// <c>ttlMs</c>/<c>cacheScope</c>; input is asked for with <c>input_required</c> and a sealed, single-use
/// <c>requestState</c>; an unknown resource is −32602 and a missing client capability is named (HTTP 400); a client
/// that leaves cancels its request and is sent nothing.
/// </summary>
internal sealed class StatelessEraPolicy(
    McpCatalog catalog,
    McpServerInfo serverInfo,
    McpProtocolOptions options,
    PermissionEvaluator permissions,
    RequestStateProtector states,
    ToolListWriter toolList) : McpEraPolicy
{
    public const string VersionHeader = "MCP-Protocol-Version";
    public const string MetaServerInfo = "io.modelcontextprotocol/serverInfo";
    public const string MetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

    private const string MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
    private const string MetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
    private const string MetaClientInfo = "io.modelcontextprotocol/clientInfo";
    private const string MetaLogLevel = "io.modelcontextprotocol/logLevel";
    private const int HeaderMismatch = -32020;

    // The members a complete result gets from the policy, so the result's own are not copied beside them.
    private static readonly byte[][] ResultOwnMembers = ["resultType"u8.ToArray()];
    private static readonly byte[][] ResultOwnMembersWithHints = ["resultType"u8.ToArray(), "ttlMs"u8.ToArray(), "cacheScope"u8.ToArray()];
    private static readonly byte[] MetaServerInfoName = Encoding.UTF8.GetBytes(MetaServerInfo);

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
    /// <param name="headers">The request's headers (a struct over the host's own collection reads them without allocating).</param>
    public McpCall Admit<THeaders>(JsonRpcEnvelope envelope, THeaders headers)
        where THeaders : IMcpRequestHeaders
    {
        // Read off the parsed document: no JSON tree is made for a request that does not need one.
        var id = envelope.Id;
        var method = envelope.Method!;
        if (envelope.ParamsElement is not { ValueKind: JsonValueKind.Object } parameters
            || !parameters.TryGetProperty("_meta"u8, out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty(MetaProtocolVersion, out var versionElement) || versionElement.ValueKind != JsonValueKind.String
            || !meta.TryGetProperty(MetaClientCapabilities, out var capabilitiesElement) || capabilitiesElement.ValueKind != JsonValueKind.Object)
        {
            throw new McpRefusal(
                McpStatus.BadRequest,
                (int)McpErrorCode.InvalidParams,
                $"params._meta must carry '{MetaProtocolVersion}' and '{MetaClientCapabilities}'.",
                id);
        }

        var version = versionElement.GetString()!;
        var versionHeader = headers[VersionHeader]?.Trim() ?? string.Empty;
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

        if (StandardHeader(headers, "Mcp-Method", id) != method)
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, "The Mcp-Method header must equal the request's method.", id);
        }

        var rule = McpMethodTable.Find(method, McpEra.Stateless);
        if (rule?.NameField is { } nameField && (StandardHeader(headers, "Mcp-Name", id) is not { } name || !parameters.TryGetProperty(nameField, out var named) || named.ValueKind != JsonValueKind.String || !named.ValueEquals(name)))
        {
            throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The Mcp-Name header must equal params.{nameField}.", id);
        }

        if (method == RequestMethods.ToolsCall && catalog.TryGetTool(JsonText.StringOf(parameters, "name") ?? string.Empty, out var tool) && tool.HeaderParameters.Count > 0)
        {
            CheckParameterHeaders(headers, tool, parameters.TryGetProperty("arguments"u8, out var arguments) && arguments.ValueKind == JsonValueKind.Object ? arguments : null, id);
        }

        if (rule is null)
        {
            throw new McpRefusal(McpStatus.NotFound, (int)McpErrorCode.MethodNotFound, $"Method not found: '{method}' (not part of protocol version {version}).", id);
        }

        LoggingLevel? logLevel = null;
        if (meta.TryGetProperty(MetaLogLevel, out var levelElement) && levelElement.ValueKind != JsonValueKind.Null)
        {
            // Only the level names of the specification; numbers are not levels.
            logLevel = (levelElement.ValueKind == JsonValueKind.String ? levelElement.GetString() : null) switch
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

        var (capabilities, clientInfo) = ClientOf(capabilitiesElement, meta, id);

        var takesTasks = capabilitiesElement.TryGetProperty("extensions"u8, out var extensions) && extensions.ValueKind == JsonValueKind.Object
            && extensions.TryGetProperty(McpTaskWire.ExtensionId, out var tasks) && tasks.ValueKind == JsonValueKind.Object;
        return new McpCall
        {
            Policy = this,
            Rule = rule,
            Id = id!.Value,
            Params = parameters,
            ProtocolVersion = version,
            ClientInfo = clientInfo,
            ClientCapabilities = capabilities,
            LogLevel = logLevel,
            ProgressToken = McpCall.ProgressTokenOf(parameters),
            TaskOptIn = takesTasks ? new McpTaskOptIn(McpEra.Stateless) : null,
            InputResponses = parameters.TryGetProperty("inputResponses"u8, out var answers) && answers.ValueKind == JsonValueKind.Object
                ? JsonObject.Create(answers)!.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : null,
        };
    }

    /// <summary>
    /// The client's capabilities and info from <c>_meta</c>. A client sends the same ones with every request, so the
    /// last few read are kept with their bytes and reused for the same bytes (read only, as a session's are shared by
    /// its requests); other bytes are read and take the oldest place.
    /// </summary>
    private (ClientCapabilities? Capabilities, Implementation? Info) ClientOf(JsonElement capabilitiesElement, JsonElement meta, RequestId? id)
    {
        var capabilitiesJson = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(capabilitiesElement);
        var hasInfo = meta.TryGetProperty(MetaClientInfo, out var infoElement) && infoElement.ValueKind != JsonValueKind.Null;
        var infoJson = hasInfo ? System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(infoElement) : default;
        foreach (var known in _clients)
        {
            if (known is not null && capabilitiesJson.SequenceEqual(known.CapabilitiesJson)
                && (hasInfo ? known.InfoJson is { } knownInfo && infoJson.SequenceEqual(knownInfo) : known.InfoJson is null))
            {
                return (known.Capabilities, known.Info);
            }
        }

        try
        {
            var capabilities = capabilitiesElement.Deserialize<ClientCapabilities>(McpJsonUtilities.DefaultOptions);
            var info = hasInfo ? infoElement.Deserialize<Implementation>(McpJsonUtilities.DefaultOptions) : null;
            _clients[(uint)Interlocked.Increment(ref _nextClient) % (uint)_clients.Length] =
                new ReadClient(capabilitiesJson.ToArray(), hasInfo ? infoJson.ToArray() : null, capabilities, info);
            return (capabilities, info);
        }
        catch (JsonException)
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidParams, "params._meta holds malformed client capabilities or client info.", id);
        }
    }

    private readonly ReadClient?[] _clients = new ReadClient?[4];

    private int _nextClient;

    private sealed record ReadClient(byte[] CapabilitiesJson, byte[]? InfoJson, ClientCapabilities? Capabilities, Implementation? Info);

    /// <summary>A <c>requestState</c> is used once, before the handler runs: a replay is refused (−32602), a store that cannot answer is a 503.</summary>
    public override async ValueTask BeforeAsync(McpCall call, object message, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        // The digest binds a state to the request's params: made only for a request that brings a state (one that asks
        // for input makes it then, see InputRequired).
        if (call.Params is not { } parameters || !parameters.TryGetProperty("requestState"u8, out var stateValue) || stateValue.ValueKind != JsonValueKind.String)
        {
            return;
        }

        call.Digest = RequestStateProtector.Digest(call.Method, call.ParamsTree);
        var check = await states.UseAsync(stateValue.GetString()!, Principal(services), call.Method, call.Digest, cancellationToken);
        if (check.Refusal is { } refusal)
        {
            throw new McpProtocolException(refusal, McpErrorCode.InvalidParams);
        }

        call.StateCheck = check;
        context.RequestState = check.State;
    }

    public override ValueTask<McpReply> ResultAsync(McpCall call, object? result, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken) =>
        ValueTask.FromResult(result is Listen.McpStream stream ? McpReply.None with { Stream = stream } : context.CreatedTask is { } created
            ? JsonRpcWire.Reply(call.Id, WithServerInfo(McpTaskWire.Created(created, McpEra.Stateless)))
            : Answer(call, result));

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
        (int)McpErrorCode.ResourceNotFound => (McpStatus.Ok, (int)McpErrorCode.InvalidParams, new JsonObject { ["uri"] = JsonText.StringOf(call.Params, "uri") }),
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

    /// <summary>
    /// The answer to a complete result. A tool result of text blocks (every <c>tools/call</c> of the common kind) is
    /// written in one pass, the era's members after its own; anything else goes through <see cref="Complete"/>.
    /// </summary>
    private McpReply Answer(McpCall call, object? result)
    {
        var hints = CacheHints(call);
        return result switch
        {
            Methods.RenderedToolResult rendered => JsonRpcWire.ToolReply(call.Id, rendered, Completion(hints)),
            CallToolResult tool when JsonRpcWire.ToolReply(call.Id, tool, Completion(hints)) is { } answer => answer,
            _ => JsonRpcWire.Reply(call.Id, Complete(result, hints)),
        };
    }

    /// <summary>The era's members of a tool result written by hand: <see cref="WriteCompletion"/>.</summary>
    private ResultTail Completion((long Ttl, string Scope)? hints) =>
        hints is null ? _completionWithoutHints ??= (writer, meta) => WriteCompletion(writer, meta, null) : (writer, meta) => WriteCompletion(writer, meta, hints);

    private ResultTail? _completionWithoutHints;

    /// <summary>
    /// A complete result: <c>resultType</c>, the server's identity, and cache hints where the method is cacheable. The
    /// result is serialized once and its members copied into the answer as they are (no JSON tree): only its
    /// <c>_meta</c> is opened, to add the server's identity beside what it holds.
    /// </summary>
    private RawJson Complete(object? result, (long Ttl, string Scope)? hints)
    {
        ReadOnlyMemory<byte> inner = result switch
        {
            null => "{}"u8.ToArray(),
            ListToolsResult tools => toolList.Write(tools, tasks: false).Utf8,
            _ => JsonSerializer.SerializeToUtf8Bytes(result, result.GetType(), JsonRpcWire.Options),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(inner.Length + 160);
        using (var writer = new Utf8JsonWriter(buffer, JsonRpcWire.WriterOptions))
        {
            writer.WriteStartObject();
            var meta = CopyMembers(writer, inner.Span, hints is null ? ResultOwnMembers : ResultOwnMembersWithHints, "_meta"u8);
            WriteCompletion(writer, meta, hints);
            writer.WriteEndObject();
        }

        return new RawJson(buffer.WrittenMemory);
    }

    /// <summary>What completes a result, after its own members: <c>resultType</c>, <c>_meta</c> (see <see cref="WriteMeta"/>) and the cache hints.</summary>
    private void WriteCompletion(Utf8JsonWriter writer, ReadOnlySpan<byte> meta, (long Ttl, string Scope)? hints)
    {
        writer.WriteString("resultType"u8, "complete"u8);
        WriteMeta(writer, meta);
        if (hints is { } cache)
        {
            writer.WriteNumber("ttlMs"u8, cache.Ttl);
            writer.WriteString("cacheScope"u8, cache.Scope);
        }
    }

    /// <summary>
    /// <c>_meta</c>: what the result put there, then the server's identity — its name and version, unless the result
    /// gave a whole one (<c>server/discover</c>).
    /// </summary>
    private void WriteMeta(Utf8JsonWriter writer, ReadOnlySpan<byte> meta)
    {
        writer.WriteStartObject("_meta"u8);
        var own = CopyMembers(writer, meta, [], MetaServerInfoName);
        if (own.IsEmpty)
        {
            writer.WriteStartObject(MetaServerInfo);
            writer.WriteString("name"u8, serverInfo.Name);
            writer.WriteString("version"u8, serverInfo.Version);
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName(MetaServerInfo);
            writer.WriteRawValue(own, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Copies the members of the JSON object <paramref name="json"/> (empty: none) into <paramref name="writer"/>'s
    /// open object as they are, except those named in <paramref name="skip"/> (the policy writes its own) and the one
    /// named <paramref name="held"/>, whose value is returned instead (empty when absent).
    /// </summary>
    private static ReadOnlySpan<byte> CopyMembers(Utf8JsonWriter writer, ReadOnlySpan<byte> json, byte[][] skip, ReadOnlySpan<byte> held = default)
    {
        var heldValue = default(ReadOnlySpan<byte>);
        var reader = new Utf8JsonReader(json);
        if (json.IsEmpty || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return heldValue;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isHeld = !held.IsEmpty && reader.ValueTextEquals(held);
            var skipped = false;
            foreach (var name in skip)
            {
                skipped |= reader.ValueTextEquals(name);
            }

            var member = reader.HasValueSequence || reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var value = json[start..(int)reader.BytesConsumed];
            if (isHeld)
            {
                heldValue = value;
            }
            else if (!skipped)
            {
                writer.WritePropertyName(member);
                writer.WriteRawValue(value, skipInputValidation: true);
            }
        }

        return heldValue;
    }

    private (long Ttl, string Scope)? CacheHints(McpCall call) => call.Rule.Cache switch
    {
        McpCacheHint.Discovery => ((long)options.ListCacheTtl.TotalMilliseconds, "public"),
        McpCacheHint.CatalogList => ((long)options.ListCacheTtl.TotalMilliseconds, permissions.HidesForbidden ? "private" : "public"),
        McpCacheHint.Resource => catalog.TryMatchResource(JsonText.StringOf(call.Params, "uri") ?? string.Empty, out var resource, out _)
            ? (resource.CacheTtlMs, resource.CacheScope)
            : (0L, "private"),
        _ => null,
    };

    private static string? Principal(IServiceProvider services) => services.GetRequiredService<ICurrentUser>().Id;

    /// <summary>A capability named by its key (<c>"sampling"</c>), or given whole as ClientCapabilities (extensions).</summary>
    private static JsonNode RequiredCapabilities(object? required) =>
        required is JsonNode whole ? whole.DeepClone() : new JsonObject { [required?.ToString() ?? "unknown"] = new JsonObject() };

    /// <summary>
    /// A standard request header's value: trimmed, with the <c>=?base64?…?=</c> form decoded. Missing → null;
    /// characters outside visible ASCII, or bad Base64 → -32020.
    /// </summary>
    private static string? StandardHeader<THeaders>(THeaders headers, string name, RequestId? id)
        where THeaders : IMcpRequestHeaders
    {
        if (headers[name] is not { } raw)
        {
            return null;
        }

        var trimmed = raw.AsSpan().Trim(" \t");
        var value = trimmed.Length == raw.Length ? raw : trimmed.ToString();
        if (value.AsSpan().ContainsAnyExceptInRange((char)0x20, (char)0x7E))
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
    private static void CheckParameterHeaders<THeaders>(THeaders headers, ToolBinding tool, JsonElement? arguments, RequestId? id)
        where THeaders : IMcpRequestHeaders
    {
        foreach (var (property, token) in tool.HeaderParameters)
        {
            if (arguments is not { } args || !args.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var headerName = "Mcp-Param-" + token;
            var text = StandardHeader(headers, headerName, id)
                ?? throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header must carry the value of argument '{property}'.", id);
            var matches = value.ValueKind switch
            {
                JsonValueKind.Number =>
                    decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                    && decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var argument)
                    && argument == n,
                JsonValueKind.True or JsonValueKind.False => string.Equals(text, value.GetRawText(), StringComparison.OrdinalIgnoreCase),
                JsonValueKind.String => text == value.GetString(),
                _ => false,
            };
            if (!matches)
            {
                throw new McpRefusal(McpStatus.BadRequest, HeaderMismatch, $"The {headerName} header does not match argument '{property}'.", id);
            }
        }
    }
}

/// <summary>A request's HTTP headers by name, as the stateless era admits a request from its message and its headers.</summary>
internal interface IMcpRequestHeaders
{
    /// <summary>The value of the header <paramref name="name"/> (several values joined by commas), or null when it is absent.</summary>
    string? this[string name] { get; }
}
