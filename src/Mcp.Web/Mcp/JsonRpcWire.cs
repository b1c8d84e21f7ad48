using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>What a POSTed body turned out to be.</summary>
internal enum JsonRpcKind
{
    Request,
    Notification,
    Response,
}

/// <summary>One JSON-RPC message read off the wire, checked for shape but not yet for meaning.</summary>
internal sealed record JsonRpcEnvelope(JsonRpcKind Kind, string? Method, RequestId? Id, JsonNode? Params, JsonObject Raw);

/// <summary>A transport-level rejection: an HTTP status with a JSON-RPC error body.</summary>
internal sealed class McpTransportException(int httpStatus, int code, string message, RequestId? id = null) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;

    public int Code { get; } = code;

    public RequestId? Id { get; } = id;

    /// <summary>The JSON-RPC error's <c>data</c>, if any.</summary>
    public object? ErrorData { get; init; }
}

/// <summary>Reading and writing JSON-RPC 2.0 frames.</summary>
internal static class JsonRpcWire
{
    /// <summary>The SDK's protocol contract, writing non-ASCII and quotes as they are (smaller frames, fewer tokens).</summary>
    public static JsonSerializerOptions Options { get; } = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Checks one message's shape: a batch, a non-object, a wrong <c>jsonrpc</c> or a malformed id is -32600.</summary>
    public static JsonRpcEnvelope Classify(JsonNode? body)
    {
        if (body is JsonArray)
        {
            throw Invalid("Batches are not supported: send one JSON-RPC message per request.");
        }

        if (body is not JsonObject message)
        {
            throw Invalid("The body must be a JSON-RPC message object.");
        }

        if (message["jsonrpc"] is not JsonValue version || version.GetValueKind() != JsonValueKind.String || version.GetValue<string>() != "2.0")
        {
            throw Invalid("The message must have \"jsonrpc\": \"2.0\".", ReadId(message["id"]));
        }

        var hasId = message.TryGetPropertyValue("id", out var idNode);
        RequestId? id = hasId ? ReadId(idNode) ?? throw Invalid("\"id\" must be a string or an integer.") : null;

        if (message.TryGetPropertyValue("method", out var methodNode))
        {
            if (methodNode is not JsonValue m || m.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty(m.GetValue<string>()))
            {
                throw Invalid("\"method\" must be a non-empty string.", id);
            }

            var parameters = message["params"];
            if (parameters is not null and not JsonObject and not JsonArray)
            {
                throw Invalid("\"params\" must be an object.", id);
            }

            return new JsonRpcEnvelope(hasId ? JsonRpcKind.Request : JsonRpcKind.Notification, m.GetValue<string>(), id, parameters, message);
        }

        if (hasId && (message.ContainsKey("result") || message.ContainsKey("error")))
        {
            return new JsonRpcEnvelope(JsonRpcKind.Response, null, id, null, message);
        }

        throw Invalid("The message is neither a request, a notification nor a response.", id);
    }

    /// <summary>
    /// A JSON-RPC response, written in one pass: the result is serialized straight into the envelope (no
    /// intermediate JSON tree), which matters on the hot path of every call.
    /// </summary>
    public static string Response(RequestId id, object? result)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            if (result is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                JsonSerializer.Serialize(writer, result, result.GetType(), Options);
            }

            writer.WritePropertyName("id");
            JsonSerializer.Serialize(writer, id, Options);
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
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

    private static RequestId? ReadId(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new RequestId(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => new RequestId(n),
        _ => null,
    };

    private static McpTransportException Invalid(string message, RequestId? id = null) =>
        new(StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest, message, id);
}
