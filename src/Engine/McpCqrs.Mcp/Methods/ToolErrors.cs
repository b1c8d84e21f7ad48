using System.Text.Json;
using System.Text.Json.Serialization;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Querying;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary>The typed body of an <c>isError</c> tool result, so a model can tell what to fix.</summary>
public sealed record ToolError(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonPropertyName("fields"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldError>? Fields = null,
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Limit = null,
    [property: JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Max = null)
{
    public const string Validation = "validation_error";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string Service = "service_error";

    /// <summary>The tool ran longer than its dispatch timeout and was stopped; <see cref="Limit"/> names the setting, <see cref="Max"/> its seconds.</summary>
    public const string Timeout = "timeout";

    /// <summary>The result was larger than <see cref="McpCqrs.Mcp.McpLimitsOptions.MaxToolResultBytes"/> (<see cref="Max"/>) and was not sent.</summary>
    public const string ResultTooLarge = "result_too_large";

    /// <summary>The error types a tool result can carry for the exceptions the application raises; null for anything else.</summary>
    public static ToolError? From(Exception exception) => exception switch
    {
        RequestValidationException validation => new ToolError(Validation, "The arguments are invalid.", null, validation.Errors),
        QuerySyntaxException syntax => new ToolError(Validation, syntax.Message, "syntax", [new FieldError(syntax.InputKind, syntax.Message, "syntax")]),
        _ when ApplicationErrors.Classify(exception) is { } error => error.Kind switch
        {
            ApplicationErrorKind.Invalid => new ToolError(Validation, error.Message, error.Code, error.Field is null ? null : [new FieldError(error.Field, error.Message, error.Code)]),
            ApplicationErrorKind.NotFound => new ToolError(NotFound, error.Message, error.Code),
            ApplicationErrorKind.Conflict => new ToolError(Conflict, error.Message, error.Code),
            _ => new ToolError(Service, error.Message, error.Code),
        },
        DispatchTimeoutException timeout => new ToolError(
            Timeout,
            $"The tool did not finish within {timeout.Deadline.Seconds} s ({timeout.Deadline.Setting}) and was stopped. Try again, or ask for less work at once.",
            Limit: timeout.Deadline.Setting,
            Max: timeout.Deadline.Seconds),
        _ => null,
    };

    /// <summary>
    /// The error of a result of <paramref name="size"/> bytes, over <paramref name="max"/>: it says the limit and how to
    /// ask for less (a smaller <c>pageSize</c> where the tool pages).
    /// </summary>
    public static ToolError TooLarge(string tool, long size, long max, bool pages) => new(
        ResultTooLarge,
        $"The result of tool '{tool}' is {size} bytes, more than the {max} bytes this server sends in one result "
            + $"({McpCqrs.Mcp.McpLimitsOptions.SectionName}:{nameof(McpCqrs.Mcp.McpLimitsOptions.MaxToolResultBytes)}). "
            + (pages ? "Ask for less: a smaller pageSize, or a narrower filter." : "Ask for less: narrower arguments, so fewer data come back."),
        Limit: $"{McpCqrs.Mcp.McpLimitsOptions.SectionName}:{nameof(McpCqrs.Mcp.McpLimitsOptions.MaxToolResultBytes)}",
        Max: max);

    public CallToolResult ToResult()
    {
        var json = JsonSerializer.Serialize(new { error = this }, ErrorJson);
        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = json }] };
    }

    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
