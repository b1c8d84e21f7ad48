using System.Text.Json;
using System.Text.Json.Nodes;
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
    public static object Bind(Type requestType, IDictionary<string, JsonElement>? arguments)
    {
        var node = new JsonObject();
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            node[name] = JsonSerializer.SerializeToNode(value);
        }

        try
        {
            return node.Deserialize(requestType, AppJson.Options)
                ?? throw new RequestValidationException(requestType.Name, [new FieldError("$", "The arguments must be an object.", "invalid_json")]);
        }
        catch (JsonException ex)
        {
            throw new RequestValidationException(requestType.Name, JsonErrors.Describe(ex));
        }
    }
}
