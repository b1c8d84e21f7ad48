namespace McpCqrs.Mcp.Exceptions;

/// <summary>One invalid value of a request: the field as the caller named it (camelCase path), and why.</summary>
public sealed record FieldError(string Field, string Message, string Code);

/// <summary>
/// A request failed its validators. Carries every field error at once so a caller (a person or a model) can
/// correct them all in one go. REST maps it to 400 ProblemDetails, MCP to an <c>isError</c> tool result.
/// </summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException(string requestName, IReadOnlyList<FieldError> errors)
        : base($"{requestName} is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
    {
        RequestName = requestName;
        Errors = errors;
    }

    public string RequestName { get; }

    public IReadOnlyList<FieldError> Errors { get; }
}
