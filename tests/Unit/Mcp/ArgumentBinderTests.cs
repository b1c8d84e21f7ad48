using System.Text.Json;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Methods;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Tickets;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class ArgumentBinderTests
{
    private static Dictionary<string, JsonElement> Args(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private static FieldError BindingError(string json)
    {
        var error = Assert.Throws<RequestValidationException>(() => ArgumentBinder.Bind(typeof(CreateTicket), Args(json)));
        Assert.Equal(nameof(CreateTicket), error.RequestName);
        return Assert.Single(error.Errors);
    }

    [Fact]
    public void Valid_arguments_bind_to_the_request()
    {
        var ticket = Assert.IsType<CreateTicket>(ArgumentBinder.Bind(
            typeof(CreateTicket),
            Args("""{"customerId":7,"title":"Printer on fire","tags":["hw"]}""")));

        Assert.Equal(7, ticket.CustomerId);
        Assert.Equal("Printer on fire", ticket.Title);
        Assert.Equal(TicketPriority.Normal, ticket.Priority);
        Assert.Equal(["hw"], ticket.Tags!);
    }

    [Fact]
    public void Unknown_argument_is_named()
    {
        var error = BindingError("""{"customerId":1,"title":"x","colour":"red"}""");

        Assert.Equal("colour", error.Field);
        Assert.Equal("unknown_field", error.Code);
    }

    [Fact]
    public void Missing_required_argument_is_named()
    {
        var error = BindingError("""{"title":"x"}""");

        Assert.Equal("customerId", error.Field);
        Assert.Equal("required", error.Code);
    }

    [Fact]
    public void Argument_of_the_wrong_type_is_named()
    {
        var error = BindingError("""{"customerId":1,"title":5}""");

        Assert.Equal("title", error.Field);
        Assert.Equal("invalid_type", error.Code);
    }

    [Fact]
    public void A_number_given_as_a_string_is_refused()
    {
        var error = BindingError("""{"customerId":"1","title":"x"}""");

        Assert.Equal("customerId", error.Field);
    }

    [Fact]
    public void Wrong_item_of_a_list_is_named_with_its_index()
    {
        var error = BindingError("""{"customerId":1,"title":"x","tags":["ok",3]}""");

        Assert.Equal("tags[1]", error.Field);
        Assert.Equal("invalid_type", error.Code);
    }

    [Fact]
    public void An_enum_binds_by_name()
    {
        var ticket = Assert.IsType<CreateTicket>(ArgumentBinder.Bind(typeof(CreateTicket), Args("""{"customerId":1,"title":"x","priority":"Urgent"}""")));

        Assert.Equal(TicketPriority.Urgent, ticket.Priority);
    }

    [Fact]
    public void An_enum_given_as_its_integer_value_is_refused()
    {
        var error = BindingError("""{"customerId":1,"title":"x","priority":3}""");

        Assert.Equal("priority", error.Field);
        Assert.Equal("invalid_type", error.Code);
    }

    [Fact]
    public void An_unknown_enum_name_is_refused()
    {
        var error = BindingError("""{"customerId":1,"title":"x","priority":"Whenever"}""");

        Assert.Equal("priority", error.Field);
    }

    [Fact]
    public void No_arguments_bind_a_request_whose_parameters_all_have_defaults()
    {
        var query = Assert.IsType<ListTickets>(ArgumentBinder.Bind(typeof(ListTickets), (JsonElement?)null));

        Assert.Equal(1, query.Page);
        Assert.Equal(ListTickets.DefaultPageSize, query.PageSize);
        Assert.Null(query.Status);
    }

    [Fact]
    public void No_arguments_for_a_request_with_required_parameters_name_them()
    {
        var error = Assert.Throws<RequestValidationException>(() => ArgumentBinder.Bind(typeof(CreateTicket), (JsonElement?)null));

        Assert.Contains(error.Errors, e => e is { Field: "customerId", Code: "required" });
        Assert.All(error.Errors, e => Assert.Equal("required", e.Code));
    }

    [Theory]
    [InlineData("""{"customerId":7,"title":"Printer on fire","tags":["hw"]}""")]
    [InlineData("""{"customerId":"seven","title":"x"}""")]
    [InlineData("""{"title":"x"}""")]
    public void The_arguments_object_as_parsed_binds_as_its_copy_does(string json)
    {
        using var document = JsonDocument.Parse(json);
        static string Outcome(Func<object> bind)
        {
            try
            {
                return JsonSerializer.Serialize(bind());
            }
            catch (RequestValidationException ex)
            {
                return JsonSerializer.Serialize(ex.Errors);
            }
        }

        var direct = Outcome(() => ArgumentBinder.Bind(typeof(CreateTicket), document.RootElement));
        var copied = Outcome(() => ArgumentBinder.Bind(typeof(CreateTicket), ArgumentBinder.Copy(document.RootElement)));

        Assert.Equal(copied, direct);
        Assert.Equal(Outcome(() => ArgumentBinder.Bind(typeof(CreateTicket), Args(json))), direct);
    }
}
