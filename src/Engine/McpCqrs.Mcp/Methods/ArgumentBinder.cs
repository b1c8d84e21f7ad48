using System.Text.Json;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Serialization;

namespace McpCqrs.Mcp.Methods;

/// <summary>
/// Turns a tool call's <c>arguments</c> into the request object, with the same contract as the input schema.
/// A wrong type, an unknown argument or a missing required one is a <see cref="RequestValidationException"/>
/// naming the field, never a serializer message about CLR types.
/// </summary>
internal static class ArgumentBinder
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

    /// <summary>Binds arguments kept apart from a request's document (a task's, a REST body's), through the same path.</summary>
    public static object Bind(Type requestType, IDictionary<string, JsonElement>? arguments) =>
        Bind(requestType, arguments is null ? null : JsonSerializer.SerializeToElement(arguments));
}
