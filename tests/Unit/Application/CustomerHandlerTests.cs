using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Customers.Queries.GetCustomer;
using McpCqrs.Application.Tickets.Commands.ChangeTicketStatus;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Customers;
using McpCqrs.Domain.Tickets;
using McpCqrs.Application.Common.Interfaces;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Application;

public sealed class CustomerHandlerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_second_customer_with_the_same_email_in_other_case_is_a_conflict()
    {
        await using (var db = _database.NewContext())
        {
            await new CreateCustomerHandler(db, _clock).Handle(new CreateCustomer("Ada", "ada@example.com"), default);
        }

        await using var again = _database.NewContext();
        var error = await Assert.ThrowsAsync<BusinessRuleViolationException>(async () =>
            await new CreateCustomerHandler(again, _clock).Handle(new CreateCustomer("Ada Two", "ADA@example.com"), default));

        Assert.Equal("customer.email_taken", error.Code);
    }

    [Fact]
    public async Task A_unique_key_clash_at_save_time_is_a_conflict_not_a_database_error()
    {
        await using var db = _database.NewContext();
        IAppDbContext unit = db;
        unit.Add(Customer.Create("A", "same@example.com", null, _clock.GetUtcNow().UtcDateTime));
        unit.Add(Customer.Create("B", "same@example.com", null, _clock.GetUtcNow().UtcDateTime));

        var error = await Assert.ThrowsAsync<BusinessRuleViolationException>(() => unit.SaveChangesAsync(default));

        Assert.Equal("conflict.duplicate", error.Code);
    }

    [Fact]
    public async Task Get_customer_counts_tickets_that_are_not_closed()
    {
        int customerId;
        await using (var db = _database.NewContext())
        {
            customerId = (await new CreateCustomerHandler(db, _clock).Handle(new CreateCustomer("Ada", "ada@example.com"), default)).Id;
            var handler = new CreateTicketHandler(db, _clock);
            await handler.Handle(new CreateTicket(customerId, "one"), default);
            await handler.Handle(new CreateTicket(customerId, "two"), default);
            var closed = await handler.Handle(new CreateTicket(customerId, "three"), default);
            await new ChangeTicketStatusHandler(db, _clock).Handle(new ChangeTicketStatus(closed.Id, TicketStatus.Closed), default);
        }

        await using var read = _database.NewContext();
        var customer = await new GetCustomerHandler(read).Handle(new GetCustomer(customerId), default);

        Assert.Equal(2, customer.OpenTickets);
        Assert.Equal("ada@example.com", customer.Email);
    }

    [Fact]
    public async Task An_unknown_customer_is_not_found()
    {
        await using var db = _database.NewContext();

        var error = await Assert.ThrowsAsync<EntityNotFoundException>(async () =>
            await new GetCustomerHandler(db).Handle(new GetCustomer(7), default));

        Assert.Equal("customer.not_found", error.Code);
    }
}
