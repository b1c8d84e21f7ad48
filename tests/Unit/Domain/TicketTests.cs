using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;

namespace McpCqrs.Tests.Unit.Domain;

public sealed class TicketTests
{
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static Ticket NewTicket(IEnumerable<string>? tags = null) =>
        Ticket.Create(1, "  Printer on fire ", null, TicketPriority.High, tags, Now);

    [Fact]
    public void A_new_ticket_is_open_unassigned_and_trimmed()
    {
        var ticket = NewTicket();

        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Null(ticket.Assignee);
        Assert.Equal("Printer on fire", ticket.Title);
        Assert.Equal(Now, ticket.CreatedAt);
        Assert.Equal(Now, ticket.UpdatedAt);
    }

    [Fact]
    public void Tags_are_lower_cased_and_deduplicated()
    {
        var ticket = NewTicket(["Billing", "billing", "VAT-rate"]);

        Assert.Equal(["billing", "vat-rate"], ticket.Tags);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("")]
    public void A_malformed_tag_is_an_invalid_value(string tag)
    {
        var error = Assert.Throws<InvalidDomainValueException>(() => NewTicket([tag]));

        Assert.Equal("tags", error.Field);
        Assert.Equal(DomainErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public void More_than_ten_tags_are_refused()
    {
        var error = Assert.Throws<InvalidDomainValueException>(() => NewTicket(Enumerable.Range(0, 11).Select(i => $"t{i}")));

        Assert.Equal("tags", error.Field);
    }

    [Fact]
    public void An_empty_title_is_an_invalid_value()
    {
        var error = Assert.Throws<InvalidDomainValueException>(() => Ticket.Create(1, "   ", null, TicketPriority.Low, null, Now));

        Assert.Equal("title", error.Field);
    }

    [Fact]
    public void A_local_time_is_refused()
    {
        Assert.Throws<InvalidDomainValueException>(() =>
            Ticket.Create(1, "t", null, TicketPriority.Low, null, DateTime.SpecifyKind(Now, DateTimeKind.Local)));
    }

    [Fact]
    public void Assigning_records_the_agent_and_touches_the_ticket()
    {
        var ticket = NewTicket();

        ticket.AssignTo("sam", Now.AddMinutes(5));

        Assert.Equal("sam", ticket.Assignee);
        Assert.Equal(Now.AddMinutes(5), ticket.UpdatedAt);
    }

    [Fact]
    public void A_closed_ticket_cannot_be_assigned()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Closed, Now.AddMinutes(1));

        var error = Assert.Throws<BusinessRuleViolationException>(() => ticket.AssignTo("sam", Now.AddMinutes(2)));

        Assert.Equal("ticket.closed", error.Code);
        Assert.Equal(DomainErrorKind.Conflict, error.Kind);
        Assert.Null(ticket.Assignee);
    }

    [Fact]
    public void A_closed_ticket_cannot_be_commented_on()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Closed, Now);

        var error = Assert.Throws<BusinessRuleViolationException>(() => ticket.AddComment("sam", "hi", false, Now));

        Assert.Equal("ticket.closed", error.Code);
        Assert.Empty(ticket.Comments);
    }

    [Theory]
    [InlineData(TicketStatus.InProgress)]
    [InlineData(TicketStatus.WaitingOnCustomer)]
    [InlineData(TicketStatus.Resolved)]
    public void A_closed_ticket_can_only_be_reopened(TicketStatus target)
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Closed, Now);

        Assert.Throws<BusinessRuleViolationException>(() => ticket.ChangeStatus(target, Now));
        Assert.Equal(TicketStatus.Closed, ticket.Status);

        ticket.ChangeStatus(TicketStatus.Open, Now.AddHours(1));
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Null(ticket.ClosedAt);
    }

    [Fact]
    public void Closing_records_when()
    {
        var ticket = NewTicket();

        ticket.ChangeStatus(TicketStatus.Closed, Now.AddDays(1));

        Assert.Equal(Now.AddDays(1), ticket.ClosedAt);
    }

    [Fact]
    public void Moving_to_the_current_status_changes_nothing()
    {
        var ticket = NewTicket();

        ticket.ChangeStatus(TicketStatus.Open, Now.AddDays(1));

        Assert.Equal(Now, ticket.UpdatedAt);
    }

    [Fact]
    public void An_undefined_status_is_an_invalid_value()
    {
        var ticket = NewTicket();

        Assert.Throws<InvalidDomainValueException>(() => ticket.ChangeStatus((TicketStatus)42, Now));
    }
}
