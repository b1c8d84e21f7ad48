using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpCqrs.Application.Common.Exceptions;
using McpCqrs.Application.Common.Serialization;

namespace McpCqrs.Application.Mcp.Methods;

/// <summary>
/// Turns a tool call's <c>arguments</c> into the request object, with the same contract as the input schema.
/// A wrong type, an unknown argument or a missing required one is a <see cref="RequestValidationException"/>
/// naming the field, never a serializer message about CLR types.
/// </summary>
public static partial class ArgumentBinder
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
                ?? throw Invalid(requestType, "$", "The arguments must be an object.", "invalid_type");
        }
        catch (JsonException ex)
        {
            throw Describe(requestType, ex);
        }
    }

    private static RequestValidationException Describe(Type requestType, JsonException ex)
    {
        var message = ex.Message;
        if (UnknownMember().Match(message) is { Success: true } unknown)
        {
            var field = unknown.Groups[1].Value;
            return Invalid(requestType, field, $"'{field}' is not an argument of this tool.", "unknown_argument");
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            var fields = missing.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Trim('\''))
                .Select(f => new FieldError(f, $"'{f}' is required.", "required"))
                .ToList();
            return new RequestValidationException(requestType.Name, fields);
        }

        var path = ex.Path is null or "$" ? "$" : ex.Path.StartsWith("$.", StringComparison.Ordinal) ? ex.Path[2..] : ex.Path;
        var what = path == "$" ? "The arguments" : $"'{path}'";
        return Invalid(requestType, path, $"{what} has the wrong type or value (see the tool's input schema).", "invalid_type");
    }

    private static RequestValidationException Invalid(Type requestType, string field, string message, string code) =>
        new(requestType.Name, [new FieldError(field, message, code)]);

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("missing required properties including: (.+?)\\.?$")]
    private static partial Regex MissingRequired();
}
