using McpCqrs.Application;
using McpCqrs.Querying;
using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Tests.Unit.Application;

public sealed class ValidatorTests
{
    static ValidatorTests() => new ServiceCollection().AddApplication();

    [Fact]
    public void A_valid_ticket_passes()
    {
        var result = new CreateTicketValidator().Validate(new CreateTicket(1, "Title", Tags: ["a-b", "c1"]));

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Empty_title_bad_customer_and_undefined_priority_are_all_reported_with_camel_case_names()
    {
        var result = new CreateTicketValidator().Validate(new CreateTicket(0, "", Priority: (TicketPriority)9));

        Assert.Equal(
            ["CustomerId", "Priority", "Title"],
            result.Errors.Select(e => e.PropertyName).Order(StringComparer.Ordinal));
        Assert.Contains(result.Errors, e => e.ErrorMessage.StartsWith("'title'", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_many_and_malformed_tags_are_reported()
    {
        var tags = Enumerable.Range(0, 11).Select(i => $"t{i}").Append("bad tag").ToList();

        var result = new CreateTicketValidator().Validate(new CreateTicket(1, "t", Tags: tags));

        Assert.Contains(result.Errors, e => e.PropertyName == "Tags");
        Assert.Contains(result.Errors, e => e.PropertyName == "Tags[11]");
    }

    [Fact]
    public void Title_longer_than_the_entity_allows_is_reported()
    {
        var result = new CreateTicketValidator().Validate(new CreateTicket(1, new string('x', Ticket.TitleMaxLength + 1)));

        Assert.Contains(result.Errors, e => e.PropertyName == "Title");
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public void Paging_out_of_range_is_reported(int page, int pageSize)
    {
        var result = new ListTicketsValidator(GridifyQueryEngine.Instance, new QueryingOptions()).Validate(new ListTickets(Page: page, PageSize: pageSize));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_malformed_email_is_reported()
    {
        var result = new CreateCustomerValidator().Validate(new CreateCustomer("Ada", "not-an-email"));

        Assert.Contains(result.Errors, e => e.PropertyName == "Email");
    }
}
