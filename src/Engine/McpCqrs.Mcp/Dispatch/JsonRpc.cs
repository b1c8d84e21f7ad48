using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>What a POSTed body turned out to be.</summary>
public enum JsonRpcKind
{
    Request,
    Notification,
    Response,
}

/// <summary>
/// One JSON-RPC message read off the wire, checked for shape but not yet for meaning. The hot path reads
/// <see cref="ParamsElement"/> (the parsed document, no tree); <see cref="Params"/> and <see cref="Raw"/> are
/// mutable-tree views made on first use, for the paths that edit or walk the message.
/// </summary>
public sealed class JsonRpcEnvelope(JsonRpcKind kind, string? method, RequestId? id, JsonElement? parameters, JsonElement raw)
{
    private JsonNode? _params;
    private JsonObject? _raw;

    public JsonRpcKind Kind { get; } = kind;

    public string? Method { get; } = method;

    public RequestId? Id { get; } = id;

    /// <summary>The params as parsed (an object or an array), or null when there are none.</summary>
    public JsonElement? ParamsElement { get; } = parameters;

    public JsonNode? Params => _params ??= ParamsElement is { } p
        ? (p.ValueKind == JsonValueKind.Array ? JsonArray.Create(p) : JsonObject.Create(p))
        : null;

    /// <summary>The whole message as a tree of its own (detached from the pooled document, so it may outlive the request).</summary>
    public JsonObject Raw => _raw ??= (JsonObject)JsonNode.Parse(raw.GetRawText())!;

    /// <summary>A response's id as text (how a waiting server-to-client request is found), or empty.</summary>
    public string AnsweredId => TextOf(Raw["id"]) ?? string.Empty;

    /// <summary>The id a <c>notifications/cancelled</c> names as text, or null.</summary>
    public string? CancelledRequestId => TextOf((Params as JsonObject)?["requestId"]);

    private static string? TextOf(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };
}

/// <summary>A result already written as JSON (UTF-8), placed into the response as it is.</summary>
public sealed record RawJson(ReadOnlyMemory<byte> Utf8);

/// <summary>
/// How a refusal or an answer is to be carried: the Streamable HTTP transport maps each to its status code
/// (<see cref="Ok"/> → 200, <see cref="BadRequest"/> → 400, ...). The engine decides the kind; the host writes it.
/// </summary>
public enum McpStatus
{
    Ok,
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Unavailable,
}

/// <summary>A request refused before it reached a handler: how it is carried, and its JSON-RPC error.</summary>
public sealed class McpRefusal(McpStatus status, int code, string message, RequestId? id = null) : Exception(message)
{
    public McpStatus Status { get; } = status;

    public int Code { get; } = code;

    public RequestId? Id { get; } = id;

    /// <summary>The JSON-RPC error's <c>data</c>, if any.</summary>
    public object? ErrorData { get; init; }

    /// <summary>The JSON-RPC error message of this refusal.</summary>
    public string ToPayload() => JsonRpcWire.Error(Id, Code, Message, ErrorData);
}

/// <summary>Writes the members an era adds to a result, after the result's own; <paramref name="ownMeta"/> is the result's <c>_meta</c> as JSON (empty: none), which it writes too.</summary>
internal delegate void ResultTail(Utf8JsonWriter writer, ReadOnlySpan<byte> ownMeta);

/// <summary>Reading and writing JSON-RPC 2.0 frames.</summary>
internal static class JsonRpcWire
{
    /// <summary>The SDK's protocol contract, writing non-ASCII and quotes as they are (smaller frames, fewer tokens).
    /// A <see cref="JsonElement"/> (a tool's <c>structuredContent</c>, a carried answer) is copied as the bytes it was
    /// parsed from instead of being walked and re-escaped token by token.</summary>
    public static JsonSerializerOptions Options { get; } = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { Serialization.RawJsonElementConverter.Instance },
    };

    /// <summary>Checks one message's shape: a batch, a non-object, a wrong <c>jsonrpc</c> or a malformed id is -32600.</summary>
    public static JsonRpcEnvelope Classify(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Array)
        {
            throw Invalid("Batches are not supported: send one JSON-RPC message per request.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The body must be a JSON-RPC message object.");
        }

        var hasId = body.TryGetProperty("id"u8, out var idElement);
        if (!body.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        {
            throw Invalid("The message must have \"jsonrpc\": \"2.0\".", hasId ? ReadId(idElement) : null);
        }

        RequestId? id = hasId ? ReadId(idElement) ?? throw Invalid("\"id\" must be a string or an integer.") : null;

        if (body.TryGetProperty("method"u8, out var methodElement))
        {
            if (methodElement.ValueKind != JsonValueKind.String || methodElement.GetString() is not { Length: > 0 } method)
            {
                throw Invalid("\"method\" must be a non-empty string.", id);
            }

            JsonElement? parameters = null;
            if (body.TryGetProperty("params"u8, out var p) && p.ValueKind != JsonValueKind.Null)
            {
                parameters = p.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? p : throw Invalid("\"params\" must be an object.", id);
            }

            return new JsonRpcEnvelope(hasId ? JsonRpcKind.Request : JsonRpcKind.Notification, method, id, parameters, body);
        }

        if (hasId && (body.TryGetProperty("result"u8, out _) || body.TryGetProperty("error"u8, out _)))
        {
            return new JsonRpcEnvelope(JsonRpcKind.Response, null, id, null, body);
        }

        throw Invalid("The message is neither a request, a notification nor a response.", id);
    }

    /// <summary>
    /// A JSON-RPC response, written in one pass: the result is serialized straight into the envelope (no
    /// intermediate JSON tree), which matters on the hot path of every call.
    /// </summary>
    public static string Response(RequestId id, object? result) => Envelope(id, result, null, Text);

    /// <summary>
    /// <see cref="Response"/> as the reply the host writes: the UTF-8 as written, with no round trip through a string
    /// (which the host would encode back to UTF-8).
    /// </summary>
    public static McpReply Reply(RequestId id, object? result) => Envelope(id, result, null, Pooled);

    /// <summary>
    /// <see cref="Response"/> for a tool result the era completes with members of its own: <paramref name="tail"/>
    /// writes them into the result after the result's members, and writes the result's <c>_meta</c> itself (it gets
    /// that as JSON, empty when there is none). Null for a result <see cref="WriteToolResult"/> does not write (the
    /// caller serializes it and adds its members another way).
    /// </summary>
    public static McpReply? ToolReply(RequestId id, CallToolResult result, ResultTail tail) =>
        IsPlainToolResult(result) ? Envelope(id, result, tail, Pooled) : null;

    /// <summary><see cref="ToolReply(RequestId, CallToolResult, ResultTail)"/> of a rendered tool result (always written so).</summary>
    internal static McpReply ToolReply(RequestId id, Methods.RenderedToolResult result, ResultTail tail) =>
        Envelope(id, result, tail, Pooled);

    private static readonly Func<ReadOnlySpan<byte>, string> Text = System.Text.Encoding.UTF8.GetString;
    private static readonly Func<ReadOnlySpan<byte>, McpReply> Pooled = McpReply.OkPooled;

    /// <summary>Writes the envelope into this thread's buffer and hands the written bytes to <paramref name="take"/>, which copies them out.</summary>
    private static T Envelope<T>(RequestId id, object? result, ResultTail? tail, Func<ReadOnlySpan<byte>, T> take)
    {
        // Nothing here awaits; a buffer grown past 64 KB by a large answer is not kept.
        var writer = ThreadJsonBuffer<EnvelopeUse>.Start(1024, out var buffer);
        try
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            if (result is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else if (result is RawJson raw)
            {
                writer.WriteRawValue(raw.Utf8.Span, skipInputValidation: true);
            }
            else
            {
                WriteResult(writer, result, tail);
            }

            writer.WritePropertyName("id");
            JsonSerializer.Serialize(writer, id, Options);
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteEndObject();
            writer.Flush();
            return take(buffer.WrittenSpan);
        }
        finally
        {
            ThreadJsonBuffer<EnvelopeUse>.End(64 * 1024);
        }
    }

    /// <summary>The envelope's use of <see cref="ThreadJsonBuffer{TUse}"/>.</summary>
    private struct EnvelopeUse;

    /// <summary>How the wire's JSON is written by hand: the contract's encoder, no structural checks (the writers are ours).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = Options.Encoder, SkipValidation = true };

    /// <summary>A result, and <paramref name="tail"/> after its members where given (only for tool results written by hand).</summary>
    private static void WriteResult(Utf8JsonWriter writer, object result, ResultTail? tail)
    {
        if (result is Methods.RenderedToolResult rendered)
        {
            rendered.WriteTo(writer, tail);
        }
        else if (result is CallToolResult tool && (tail is not null || IsPlainToolResult(tool)))
        {
            WriteToolResult(writer, tool, tail);
        }
        else
        {
            JsonSerializer.Serialize(writer, result, result.GetType(), Options);
        }
    }

    /// <summary>
    /// A tool result of text blocks written member by member, as the SDK's contract writes it (<c>content</c>,
    /// <c>structuredContent</c>, <c>isError</c>, <c>_meta</c>), without the serializer's per-call state for a nested
    /// graph: every <c>tools/call</c> answers with one. Anything else in it (an image, annotations, a result type) and
    /// the serializer writes it. Hand-written because the SDK's contract is source-generated metadata with no lighter
    /// entry point; <c>JsonRpcWireTests</c> holds it to the serializer's output.
    /// </summary>
    private static void WriteToolResult(Utf8JsonWriter writer, CallToolResult result, ResultTail? tail)
    {
        var content = result.Content;
        writer.WriteStartObject();
        writer.WriteStartArray("content"u8);
        for (var i = 0; i < content.Count; i++)
        {
            var text = (TextContentBlock)content[i];
            writer.WriteStartObject();
            writer.WriteString("type"u8, "text"u8);
            writer.WriteString("text"u8, text.Text);
            if (text.Meta is { } blockMeta)
            {
                writer.WritePropertyName("_meta"u8);
                blockMeta.WriteTo(writer, Options);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (result.StructuredContent is { } structured)
        {
            writer.WritePropertyName("structuredContent"u8);
            Serialization.RawJsonElementConverter.Instance.Write(writer, structured, Options);
        }

        if (result.IsError is { } isError)
        {
            writer.WriteBoolean("isError"u8, isError);
        }

        if (tail is not null)
        {
            tail(writer, result.Meta is { } own ? JsonSerializer.SerializeToUtf8Bytes(own, Options) : default);
        }
        else if (result.Meta is { } meta)
        {
            writer.WritePropertyName("_meta"u8);
            meta.WriteTo(writer, Options);
        }

        writer.WriteEndObject();
    }

    /// <summary>Whether <see cref="WriteToolResult"/> writes the result: text blocks without annotations, no result type.</summary>
    private static bool IsPlainToolResult(CallToolResult result)
    {
        if (result.ResultType is not null || result.Content is not { } content)
        {
            return false;
        }

        for (var i = 0; i < content.Count; i++)
        {
            if (content[i] is not TextContentBlock { Annotations: null })
            {
                return false;
            }
        }

        return true;
    }

    public static string Error(RequestId? id, int code, string message, object? data = null) =>
        JsonSerializer.Serialize(
            new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id is { } requestId ? JsonSerializer.SerializeToNode(requestId, Options) : null,
            ["error"] = data is null
                ? new JsonObject { ["code"] = code, ["message"] = message }
                : new JsonObject { ["code"] = code, ["message"] = message, ["data"] = JsonSerializer.SerializeToNode(data, data.GetType(), Options) },
        },
            Options);

    public static string Message(JsonRpcMessage message) => JsonSerializer.Serialize(message, Options);

    private static RequestId? ReadId(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => new RequestId(id.GetString()!),
        JsonValueKind.Number when id.TryGetInt64(out var n) => new RequestId(n),
        _ => null,
    };

    private static McpRefusal Invalid(string message, RequestId? id = null) =>
        new(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, message, id);
}
