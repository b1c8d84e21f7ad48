using System.Text.Json;
using McpCqrs.Application.Common.Exceptions;
using McpCqrs.Application.Common.Serialization;

namespace McpCqrs.Application.Mcp.Methods;

/// <summary>
/// Turns a tool call's <c>arguments</c> into the request object, with the same contract as the input schema.
/// A wrong type, an unknown argument or a missing required one is a <see cref="RequestValidationException"/>
/// naming the field, never a serializer message about CLR types.
/// </summary>
public static class ArgumentBinder
{
    private static readonly JsonElement NoArguments = JsonDocument.Parse("{}").RootElement;

    /// <summary>Binds the <c>arguments</c> object as the request parsed it (no copy): read straight into the request.</summary>
    public static object Bind(Type requestType, JsonElement? arguments)
    {
        try
        {
            return JsonSerializer.Deserialize(arguments ?? NoArguments, requestType, AppJson.Options)
                ?? throw new RequestValidationException(requestType.Name, [new FieldError("$", "The arguments must be an object.", "invalid_json")]);
        }
        catch (JsonException ex)
        {
            throw new RequestValidationException(requestType.Name, JsonErrors.Describe(ex));
        }
    }

    /// <summary>The <c>arguments</c> object as a dictionary of values that outlive the request's document (for a task to keep).</summary>
    public static Dictionary<string, JsonElement>? Copy(JsonElement? arguments) =>
        arguments is { ValueKind: JsonValueKind.Object } value
            ? value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
            : null;

    public static object Bind(Type requestType, IDictionary<string, JsonElement>? arguments)
    {
        // The arguments are written once as one JSON object and read straight into the request (no JSON tree).
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.WrittenSpan, requestType, AppJson.Options)
                ?? throw new RequestValidationException(requestType.Name, [new FieldError("$", "The arguments must be an object.", "invalid_json")]);
        }
        catch (JsonException ex)
        {
            throw new RequestValidationException(requestType.Name, JsonErrors.Describe(ex));
        }
    }
}
