using System.Text.Json;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Web.Apps;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class McpCatalogTests
{
    private static McpCatalog AppCatalog()
    {
        var builder = new McpCatalogBuilder().AddTicketBoard().AddToolsFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        return new(builder.Tools, builder.Resources, [], _ => []);
    }

    private static McpCatalog Catalog(params ToolRegistration[] registrations) => new(registrations, _ => []);

    private static ToolBinding Tool(McpCatalog catalog, string name)
    {
        Assert.True(catalog.TryGetTool(name, out var binding), $"no tool '{name}'");
        return binding;
    }

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData("create_ticket")]
    [InlineData("get_ticket")]
    [InlineData("list_tickets")]
    [InlineData("assign_ticket")]
    [InlineData("change_ticket_status")]
    [InlineData("add_comment")]
    [InlineData("create_customer")]
    [InlineData("get_customer")]
    public void Every_attributed_request_of_the_application_is_a_tool(string name) =>
        Assert.Contains(name, AppCatalog().Tools.Select(t => t.Name));

    [Fact]
    public void A_tool_takes_its_title_from_the_attribute_and_its_description_from_the_xml_summary()
    {
        var tool = Tool(AppCatalog(), "create_ticket").Tool;

        Assert.Equal("Create a ticket", tool.Title);
        Assert.Equal("Opens a new ticket for an existing customer.", tool.Description);
    }

    [Fact]
    public void A_query_is_read_only()
    {
        var hints = Tool(AppCatalog(), "get_ticket").Tool.Annotations!;

        Assert.True(hints.ReadOnlyHint);
        Assert.Null(hints.DestructiveHint);
        Assert.False(hints.OpenWorldHint);
    }

    [Fact]
    public void A_command_is_neither_read_only_nor_destructive_nor_idempotent_by_default()
    {
        var hints = Tool(AppCatalog(), "create_ticket").Tool.Annotations!;

        Assert.False(hints.ReadOnlyHint);
        Assert.False(hints.DestructiveHint);
        Assert.False(hints.IdempotentHint);
        Assert.False(hints.OpenWorldHint);
    }

    [Fact]
    public void An_explicit_hint_of_the_attribute_wins()
    {
        var hints = Tool(AppCatalog(), "assign_ticket").Tool.Annotations!;

        Assert.True(hints.IdempotentHint);
        Assert.False(hints.ReadOnlyHint);
    }

    [Fact]
    public void An_explicit_hint_of_a_registration_wins()
    {
        var catalog = Catalog(
            new ToolRegistration(typeof(SayHello), "destroy", Hints: new ToolHints(Destructive: true)),
            new ToolRegistration(typeof(ListNames), "peek", Hints: new ToolHints(ReadOnly: true)));

        Assert.True(Tool(catalog, "destroy").Tool.Annotations!.DestructiveHint);
        Assert.True(Tool(catalog, "peek").Tool.Annotations!.ReadOnlyHint);
        Assert.Null(Tool(catalog, "peek").Tool.Annotations!.DestructiveHint);
    }

    [Fact]
    public void A_duplicate_name_is_refused_naming_both_request_types()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(
            new ToolRegistration(typeof(SayHello), "hello"),
            new ToolRegistration(typeof(ListNames), "hello")));

        Assert.Contains(typeof(SayHello).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(ListNames).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name!")]
    [InlineData("")]
    [InlineData("slash/name")]
    public void A_malformed_name_is_refused(string name)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(new ToolRegistration(typeof(SayHello), name)));

        Assert.Contains(typeof(SayHello).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_of_128_allowed_characters_is_accepted_and_129_is_not()
    {
        Assert.Single(Catalog(new ToolRegistration(typeof(SayHello), new string('a', 126) + ".-")).Tools);
        Assert.Throws<InvalidOperationException>(() => Catalog(new ToolRegistration(typeof(SayHello), new string('a', 129))));
    }

    [Fact]
    public void A_type_that_is_neither_a_command_nor_a_query_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(new ToolRegistration(typeof(NotARequest), "not_a_request")));

        Assert.Contains(typeof(NotARequest).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(ListNames), "array")]
    [InlineData(typeof(CountThings), "integer")]
    public void A_result_that_is_not_an_object_is_wrapped_as_result(Type requestType, string resultType)
    {
        var binding = Tool(Catalog(new ToolRegistration(requestType, "tool")), "tool");
        var output = binding.Tool.OutputSchema!.Value;

        Assert.True(binding.WrapsResult);
        Assert.Equal("object", output.GetProperty("type").GetString());
        Assert.Equal(resultType, output.GetProperty("properties").GetProperty("result").GetProperty("type").GetString());
        Assert.Equal("result", Assert.Single(output.GetProperty("required").EnumerateArray()).GetString());
    }

    [Fact]
    public void An_object_result_is_not_wrapped()
    {
        var binding = Tool(Catalog(new ToolRegistration(typeof(SayHello), "hello")), "hello");
        var output = binding.Tool.OutputSchema!.Value;

        Assert.False(binding.WrapsResult);
        Assert.Equal("object", output.GetProperty("type").GetString());
        Assert.True(output.GetProperty("properties").TryGetProperty("text", out _));
    }

    [Fact]
    public void A_tool_returning_content_blocks_has_no_output_schema()
    {
        var binding = Tool(Catalog(new ToolRegistration(typeof(RenderCard), "card")), "card");

        Assert.True(binding.ReturnsContent);
        Assert.Null(binding.Tool.OutputSchema);
    }

    [Fact]
    public void The_input_schema_is_generated_with_the_validators_of_the_request()
    {
        var catalog = new McpCatalog(
            [new ToolRegistration(typeof(Signup), "signup")],
            type => type == typeof(Signup) ? [new SignupValidator()] : []);
        var email = Tool(catalog, "signup").Tool.InputSchema.GetProperty("properties").GetProperty("email");

        Assert.Equal("email", email.GetProperty("format").GetString());
    }

    [Fact]
    public void An_explicit_input_schema_replaces_the_generated_one()
    {
        var catalog = Catalog(new ToolRegistration(typeof(SayHello), "hello", InputSchema: Schema("""{"type":"object","properties":{"who":{"type":"string"}}}""")));
        var properties = Tool(catalog, "hello").Tool.InputSchema.GetProperty("properties");

        Assert.True(properties.TryGetProperty("who", out _));
        Assert.False(properties.TryGetProperty("name", out _));
    }

    [Theory]
    [InlineData("""{"type":"array"}""")]
    [InlineData("""{"properties":{}}""")]
    public void An_explicit_input_schema_that_is_not_of_type_object_is_refused(string schema) =>
        Assert.Throws<InvalidOperationException>(() => Catalog(new ToolRegistration(typeof(SayHello), "hello", InputSchema: Schema(schema))));

    [Fact]
    public void Adding_a_tool_at_run_time_raises_Changed_once()
    {
        var catalog = Catalog();
        var changes = 0;
        catalog.Changed += (_, _) => changes++;

        catalog.AddTool(new ToolRegistration(typeof(SayHello), "hello"));

        Assert.Equal(1, changes);
        Assert.True(catalog.TryGetTool("hello", out _));
    }

    [Fact]
    public void Removing_a_tool_at_run_time_raises_Changed_once()
    {
        var catalog = Catalog(new ToolRegistration(typeof(SayHello), "hello"));
        var changes = 0;
        catalog.Changed += (_, _) => changes++;

        Assert.True(catalog.RemoveTool("hello"));

        Assert.Equal(1, changes);
        Assert.False(catalog.TryGetTool("hello", out _));
        Assert.Empty(catalog.Tools);
    }

    [Fact]
    public void Removing_an_unknown_tool_changes_nothing()
    {
        var catalog = Catalog(new ToolRegistration(typeof(SayHello), "hello"));
        var changes = 0;
        catalog.Changed += (_, _) => changes++;

        Assert.False(catalog.RemoveTool("missing"));

        Assert.Equal(0, changes);
        Assert.Single(catalog.Tools);
    }

    [Fact]
    public void Adding_a_duplicate_at_run_time_is_refused_without_a_change()
    {
        var catalog = Catalog(new ToolRegistration(typeof(SayHello), "hello"));
        var changes = 0;
        catalog.Changed += (_, _) => changes++;

        Assert.Throws<InvalidOperationException>(() => catalog.AddTool(new ToolRegistration(typeof(ListNames), "hello")));

        Assert.Equal(0, changes);
        Assert.Equal(typeof(SayHello), Tool(catalog, "hello").RequestType);
    }

    [Fact]
    public void Tools_keep_their_registration_order()
    {
        var catalog = Catalog(
            new ToolRegistration(typeof(SayHello), "b"),
            new ToolRegistration(typeof(ListNames), "a"));
        catalog.AddTool(new ToolRegistration(typeof(CountThings), "c"));

        Assert.Equal(["b", "a", "c"], catalog.Tools.Select(t => t.Name));
    }
}
