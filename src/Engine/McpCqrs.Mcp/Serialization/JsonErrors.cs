using System.Text.Json;
using System.Text.RegularExpressions;
using McpCqrs.Mcp.Exceptions;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// Turns a <see cref="JsonException"/> from reading a request (REST body or tool arguments) into field errors a
/// caller can act on — an unknown field, a missing required one, a wrong type or value — without the
/// serializer's CLR type names.
/// </summary>
public static partial class JsonErrors
{
    public static IReadOnlyList<FieldError> Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        if (UnknownMember().Match(message) is { Success: true } unknown)
        {
            var field = unknown.Groups[1].Value;
            return [new FieldError(field, $"'{field}' is not a field of this request.", "unknown_field")];
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            return [.. missing.Groups[1].Value
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Trim('\''))
                .Select(f => new FieldError(f, $"'{f}' is required.", "required"))];
        }

        var path = exception.Path is null or "$" ? "$" : exception.Path.StartsWith("$.", StringComparison.Ordinal) ? exception.Path[2..] : exception.Path;
        return path == "$"
            ? [new FieldError("$", "The body is not a JSON object of the expected shape.", "invalid_json")]
            : [new FieldError(path, $"'{path}' has the wrong type or value (see the schema).", "invalid_type")];
    }

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("missing required properties including: (.+?)\\.?$")]
    private static partial Regex MissingRequired();
}
