using System.Text.Json.Nodes;
using McpCqrs.Mcp.Schema;
using McpCqrs.Application.Tickets;
using McpCqrs.Application.Tickets.Commands.CreateTicket;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class RequestSchemaGeneratorTests
{
    private static JsonObject CreateTicketSchema() =>
        RequestSchemaGenerator.Input(typeof(CreateTicket), [new CreateTicketValidator()]);

    private static JsonObject Property(JsonObject schema, string name) =>
        Assert.IsType<JsonObject>(schema["properties"]?[name]);

    private static string[] Required(JsonObject schema) =>
        schema["required"] is JsonArray required ? [.. required.Select(n => n!.GetValue<string>())] : [];

    [Fact]
    public void Input_schema_is_a_closed_object_of_the_2020_12_dialect()
    {
        var schema = CreateTicketSchema();

        Assert.Equal("object", schema["type"]?.GetValue<string>());
        Assert.False(schema["additionalProperties"]?.GetValue<bool>());
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema["$schema"]?.GetValue<string>());
    }

    [Fact]
    public void Arguments_without_a_default_are_required_and_optional_ones_are_not()
    {
        var required = Required(CreateTicketSchema());

        Assert.Contains("customerId", required);
        Assert.Contains("title", required);
        Assert.DoesNotContain("description", required);
        Assert.DoesNotContain("priority", required);
        Assert.DoesNotContain("tags", required);
    }

    [Fact]
    public void NotEmpty_and_MaximumLength_become_string_length_bounds()
    {
        var title = Property(CreateTicketSchema(), "title");

        Assert.Equal(1, title["minLength"]?.GetValue<int>());
        Assert.Equal(200, title["maxLength"]?.GetValue<int>());
    }

    [Fact]
    public void GreaterThan_becomes_an_exclusive_minimum()
    {
        var customerId = Property(CreateTicketSchema(), "customerId");

        Assert.Equal(0, customerId["exclusiveMinimum"]?.GetValue<long>());
        Assert.Null(customerId["minimum"]);
    }

    [Fact]
    public void RuleForEach_rules_apply_to_the_items_not_to_the_list()
    {
        var tags = Property(CreateTicketSchema(), "tags");
        var items = Assert.IsType<JsonObject>(tags["items"]);

        Assert.Equal(32, items["maxLength"]?.GetValue<int>());
        Assert.Equal(1, items["minLength"]?.GetValue<int>());
        Assert.Equal("^[A-Za-z0-9-]+$", items["pattern"]?.GetValue<string>());
        Assert.Null(tags["maxLength"]);
        Assert.Null(tags["pattern"]);
    }

    [Fact]
    public void An_enum_argument_lists_its_names()
    {
        var priority = Property(CreateTicketSchema(), "priority");

        Assert.Equal(["Low", "Normal", "High", "Urgent"], priority["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Theory]
    [InlineData("title", "A one-line summary of the problem.")]
    [InlineData("customerId", "The customer the ticket is raised for.")]
    [InlineData("priority", "How urgent it is; Normal when omitted.")]
    public void Argument_descriptions_come_from_the_xml_documentation(string argument, string description) =>
        Assert.Equal(description, Property(CreateTicketSchema(), argument)["description"]?.GetValue<string>());

    [Fact]
    public void Without_validators_only_the_serializer_contract_is_stated()
    {
        var schema = RequestSchemaGenerator.Input(typeof(CreateTicket), []);

        Assert.Null(Property(schema, "title")["maxLength"]);
        Assert.Null(Property(schema, "customerId")["exclusiveMinimum"]);
        Assert.Equal("object", schema["type"]?.GetValue<string>());
    }

    [Fact]
    public void A_rule_under_When_adds_nothing_to_the_schema()
    {
        var schema = RequestSchemaGenerator.Input(typeof(Parcel), [new ParcelValidator()]);
        var note = Property(schema, "note");
        var label = Property(schema, "label");

        Assert.Null(note["minLength"]);
        Assert.Null(note["maxLength"]);
        Assert.Null(label["minLength"]);
        Assert.Null(label["maxLength"]);
        Assert.DoesNotContain("note", Required(schema));
        Assert.DoesNotContain("label", Required(schema));
    }

    [Fact]
    public void A_condition_on_one_validator_leaves_the_unconditional_ones_of_the_rule_in_the_schema()
    {
        var schema = RequestSchemaGenerator.Input(typeof(Parcel), [new ParcelValidator()]);
        var code = Property(schema, "code");
        var weight = Property(schema, "weight");

        Assert.Contains("code", Required(schema));
        Assert.Equal(1, code["minLength"]?.GetValue<int>());
        Assert.Null(code["maxLength"]);
        Assert.Equal(1, weight["minimum"]?.GetValue<long>());
        Assert.Equal(50, weight["maximum"]?.GetValue<long>());
    }

    [Fact]
    public void Email_exclusive_ranges_and_upper_bounds_are_stated()
    {
        var schema = RequestSchemaGenerator.Input(typeof(Signup), [new SignupValidator()]);
        var age = Property(schema, "age");

        Assert.Equal("email", Property(schema, "email")["format"]?.GetValue<string>());
        Assert.Equal(0, age["exclusiveMinimum"]?.GetValue<long>());
        Assert.Equal(150, age["exclusiveMaximum"]?.GetValue<long>());
        Assert.Null(age["minimum"]);
        Assert.Equal(1.5, Property(schema, "score")["maximum"]?.GetValue<double>());
    }

    [Fact]
    public void The_output_schema_of_a_record_is_an_object()
    {
        var schema = RequestSchemaGenerator.Output(typeof(TicketDto));

        Assert.True(RequestSchemaGenerator.IsObject(schema));
        Assert.Null(schema["$schema"]);
        Assert.NotNull(schema["properties"]?["title"]);
    }

    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(string))]
    [InlineData(typeof(IReadOnlyList<string>))]
    public void The_output_schema_of_a_scalar_or_a_list_is_not_an_object(Type resultType) =>
        Assert.False(RequestSchemaGenerator.IsObject(RequestSchemaGenerator.Output(resultType)));

    [Theory]
    [InlineData("""{"type":"object"}""", true)]
    [InlineData("""{"type":["object"]}""", true)]
    [InlineData("""{"type":["object","null"]}""", false)]
    [InlineData("""{"type":"array"}""", false)]
    [InlineData("""{}""", false)]
    public void Only_a_schema_of_objects_alone_is_an_object(string schema, bool isObject) =>
        Assert.Equal(isObject, RequestSchemaGenerator.IsObject(JsonNode.Parse(schema)!.AsObject()));
}
