using McpCqrs.Querying;
using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Tickets.Commands.AddComment;
using McpCqrs.Application.Tickets.Commands.AssignTicket;
using McpCqrs.Application.Tickets.Commands.ChangeTicketStatus;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.GetTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Application;

public sealed class TicketHandlerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private int _customerId;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await using var db = _database.NewContext();
        _customerId = (await new CreateCustomerHandler(db, _clock).Handle(new CreateCustomer("Ada", "ada@example.com"), default)).Id;
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private async Task<int> CreateTicketAsync(string title, TicketPriority priority = TicketPriority.Normal)
    {
        await using var db = _database.NewContext();
        var ticket = await new CreateTicketHandler(db, _clock).Handle(new CreateTicket(_customerId, title, Priority: priority), default);
        _clock.Advance(TimeSpan.FromMinutes(1));
        return ticket.Id;
    }

    [Fact]
    public async Task Create_ticket_stores_it_and_returns_it_with_the_customer_name()
    {
        await using var db = _database.NewContext();

        var ticket = await new CreateTicketHandler(db, _clock).Handle(
            new CreateTicket(_customerId, "Printer on fire", "Smoke everywhere", TicketPriority.Urgent, ["Hardware"]),
            default);

        Assert.True(ticket.Id > 0);
        Assert.Equal("Ada", ticket.CustomerName);
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal(["hardware"], ticket.Tags);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, ticket.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, ticket.CreatedAt.Kind);
        await using var check = _database.NewContext();
        Assert.Equal("Printer on fire", (await check.TicketSet.SingleAsync()).Title);
    }

    [Fact]
    public async Task Create_ticket_for_an_unknown_customer_names_the_field()
    {
        await using var db = _database.NewContext();

        var error = await Assert.ThrowsAsync<InvalidDomainValueException>(async () =>
            await new CreateTicketHandler(db, _clock).Handle(new CreateTicket(999, "t"), default));

        Assert.Equal("customerId", error.Field);
        Assert.Empty(await db.TicketSet.ToListAsync());
    }

    [Fact]
    public async Task Assign_ticket_saves_the_assignee()
    {
        var id = await CreateTicketAsync("t");
        await using var db = _database.NewContext();

        var ticket = await new AssignTicketHandler(db, _clock).Handle(new AssignTicket(id, "sam"), default);

        Assert.Equal("sam", ticket.Assignee);
        await using var check = _database.NewContext();
        Assert.Equal("sam", (await check.TicketSet.SingleAsync(t => t.Id == id)).Assignee);
    }

    [Fact]
    public async Task Assigning_a_closed_ticket_is_a_conflict_and_changes_nothing()
    {
        var id = await CreateTicketAsync("t");
        await using (var db = _database.NewContext())
        {
            await new ChangeTicketStatusHandler(db, _clock).Handle(new ChangeTicketStatus(id, TicketStatus.Closed), default);
        }

        await using (var db = _database.NewContext())
        {
            var error = await Assert.ThrowsAsync<BusinessRuleViolationException>(async () =>
                await new AssignTicketHandler(db, _clock).Handle(new AssignTicket(id, "sam"), default));
            Assert.Equal("ticket.closed", error.Code);
        }

        await using var check = _database.NewContext();
        Assert.Null((await check.TicketSet.SingleAsync(t => t.Id == id)).Assignee);
    }

    [Fact]
    public async Task An_unknown_ticket_is_not_found()
    {
        await using var db = _database.NewContext();

        var error = await Assert.ThrowsAsync<EntityNotFoundException>(async () =>
            await new GetTicketHandler(db).Handle(new GetTicket(404), default));

        Assert.Equal("ticket.not_found", error.Code);
    }

    [Fact]
    public async Task Add_comment_records_the_current_user_as_author_and_shows_in_the_thread()
    {
        var id = await CreateTicketAsync("t");
        await using (var db = _database.NewContext())
        {
            var comment = await new AddCommentHandler(db, new TestUser("u-1", "Sam"), _clock)
                .Handle(new AddComment(id, "On it", IsInternal: true), default);
            Assert.Equal("Sam", comment.Author);
            Assert.True(comment.IsInternal);
        }

        await using var read = _database.NewContext();
        var ticket = await new GetTicketHandler(read).Handle(new GetTicket(id), default);
        var only = Assert.Single(ticket.Comments);
        Assert.Equal("On it", only.Body);
    }

    [Fact]
    public async Task An_anonymous_comment_is_attributed_to_anonymous()
    {
        var id = await CreateTicketAsync("t");
        await using var db = _database.NewContext();

        var comment = await new AddCommentHandler(db, new TestUser(), _clock).Handle(new AddComment(id, "hi"), default);

        Assert.Equal(AddCommentHandler.AnonymousAuthor, comment.Author);
    }

    [Fact]
    public async Task List_tickets_filters_and_pages_newest_first()
    {
        var first = await CreateTicketAsync("a", TicketPriority.High);
        await CreateTicketAsync("b", TicketPriority.Low);
        var third = await CreateTicketAsync("c", TicketPriority.High);
        var fourth = await CreateTicketAsync("d", TicketPriority.High);
        await using var db = _database.NewContext();
        var handler = new ListTicketsHandler(db, GridifyQueryEngine.Instance);

        var page1 = await handler.Handle(new ListTickets(Priority: TicketPriority.High, PageSize: 2), default);
        var page2 = await handler.Handle(new ListTickets(Priority: TicketPriority.High, Page: 2, PageSize: 2), default);

        Assert.Equal([fourth, third], page1.Items.Select(t => t.Id));
        Assert.Equal([first], page2.Items.Select(t => t.Id));
        Assert.Equal(3, page1.TotalItems);
        Assert.Equal(2, page1.TotalPages);
        Assert.True(page1.HasNext);
        Assert.False(page2.HasNext);
        Assert.All(page1.Items, t => Assert.Equal("Ada", t.CustomerName));
    }

    [Fact]
    public async Task List_tickets_by_status()
    {
        var open = await CreateTicketAsync("open");
        var closed = await CreateTicketAsync("closed");
        await using (var db = _database.NewContext())
        {
            await new ChangeTicketStatusHandler(db, _clock).Handle(new ChangeTicketStatus(closed, TicketStatus.Closed), default);
        }

        await using var read = _database.NewContext();
        var result = await new ListTicketsHandler(read, GridifyQueryEngine.Instance).Handle(new ListTickets(Status: TicketStatus.Open), default);

        Assert.Equal([open], result.Items.Select(t => t.Id));
    }
}
