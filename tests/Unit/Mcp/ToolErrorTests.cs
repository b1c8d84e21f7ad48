using System.Text.Json;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Methods;
using McpCqrs.Domain.Common;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class ToolErrorTests
{
    private static JsonElement ErrorBody(ToolError error)
    {
        var result = error.ToResult();
        Assert.True(result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        return JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }

    [Fact]
    public void A_request_validation_failure_is_a_validation_error_with_every_field()
    {
        var exception = new RequestValidationException("CreateTicket", [new FieldError("title", "Required.", "required"), new FieldError("customerId", "Too small.", "range")]);

        var error = ToolError.From(exception)!;

        Assert.Equal("validation_error", error.Type);
        Assert.Equal(["title", "customerId"], error.Fields!.Select(f => f.Field));
    }

    [Fact]
    public void An_invalid_domain_value_is_a_validation_error_naming_the_field()
    {
        var error = ToolError.From(new InvalidDomainValueException("tags", "Too many tags."))!;

        Assert.Equal("validation_error", error.Type);
        Assert.Equal("value.invalid", error.Code);
        Assert.Equal("tags", Assert.Single(error.Fields!).Field);
    }

    [Fact]
    public void A_missing_entity_is_not_found()
    {
        var error = ToolError.From(new EntityNotFoundException("Ticket", 42))!;

        Assert.Equal("not_found", error.Type);
        Assert.Equal("ticket.not_found", error.Code);
        Assert.Contains("42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_business_rule_is_a_conflict()
    {
        var error = ToolError.From(new BusinessRuleViolationException("ticket.closed", "The ticket is closed."))!;

        Assert.Equal("conflict", error.Type);
        Assert.Equal("ticket.closed", error.Code);
        Assert.Equal("The ticket is closed.", error.Message);
    }

    [Fact]
    public void Any_other_exception_is_not_a_tool_error()
    {
        Assert.Null(ToolError.From(new InvalidOperationException("boom")));
        Assert.Null(ToolError.From(new OperationCanceledException()));
        Assert.Null(ToolError.From(new JsonException("bad")));
    }

    [Fact]
    public void The_result_is_an_error_whose_text_is_an_error_object()
    {
        var body = ErrorBody(ToolError.From(new BusinessRuleViolationException("ticket.closed", "The ticket is closed."))!);

        Assert.Equal("conflict", body.GetProperty("type").GetString());
        Assert.Equal("The ticket is closed.", body.GetProperty("message").GetString());
        Assert.Equal("ticket.closed", body.GetProperty("code").GetString());
        Assert.False(body.TryGetProperty("fields", out _));
    }

    [Fact]
    public void The_result_of_a_validation_error_lists_its_fields()
    {
        var body = ErrorBody(ToolError.From(new RequestValidationException("CreateTicket", [new FieldError("title", "Required.", "required")]))!);

        var field = Assert.Single(body.GetProperty("fields").EnumerateArray());
        Assert.Equal("title", field.GetProperty("field").GetString());
        Assert.Equal("required", field.GetProperty("code").GetString());
        Assert.False(body.TryGetProperty("code", out _));
    }
}
