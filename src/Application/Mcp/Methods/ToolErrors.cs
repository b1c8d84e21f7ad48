using System.Text.Json;
using System.Text.Json.Serialization;
using McpCqrs.Application.Common.Exceptions;
using McpCqrs.Application.Common.Querying;
using McpCqrs.Domain.Common;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Methods;

/// <summary>The typed body of an <c>isError</c> tool result, so a model can tell what to fix.</summary>
public sealed record ToolError(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonPropertyName("fields"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldError>? Fields = null)
{
    public const string Validation = "validation_error";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string Service = "service_error";

    /// <summary>The error types a tool result can carry for the exceptions the application raises; null for anything else.</summary>
    public static ToolError? From(Exception exception) => exception switch
    {
        RequestValidationException validation => new ToolError(Validation, "The arguments are invalid.", null, validation.Errors),
        QuerySyntaxException syntax => new ToolError(Validation, syntax.Message, "syntax", [new FieldError(syntax.InputKind, syntax.Message, "syntax")]),
        InvalidDomainValueException invalid => new ToolError(Validation, invalid.Message, invalid.Code, [new FieldError(invalid.Field, invalid.Message, invalid.Code)]),
        EntityNotFoundException notFound => new ToolError(NotFound, notFound.Message, notFound.Code),
        DomainException domain => new ToolError(domain.Kind == DomainErrorKind.Conflict ? Conflict : Service, domain.Message, domain.Code),
        _ => null,
    };

    public CallToolResult ToResult()
    {
        var json = JsonSerializer.Serialize(new { error = this }, ErrorJson);
        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = json }] };
    }

    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
