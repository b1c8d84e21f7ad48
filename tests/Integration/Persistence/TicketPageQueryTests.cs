using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Tickets;
using McpCqrs.Application.Tickets.Commands.ChangeTicketStatus;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Querying;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Integration.Persistence;

/// <summary>
/// A selector's page and its total come from one statement on PostgreSQL and SQLite alike
/// (<see cref="QueryablePaging.WithTotal"/>); only a page past the end, which has no row to carry the total, is
/// counted apart.
/// </summary>
public abstract class TicketPageQueryTests : IAsyncLifetime
{
    private int[] _open = [];

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    protected abstract AppDbContext Context(CommandLog? log = null);

    /// <summary>Five tickets, three of them open.</summary>
    protected async Task SeedAsync()
    {
        await using var db = Context();
        var customer = await new CreateCustomerHandler(db, TimeProvider.System).Handle(new CreateCustomer("Ada", "ada@example.com"), default);
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await new CreateTicketHandler(db, TimeProvider.System).Handle(new CreateTicket(customer.Id, $"Ticket {i}"), default)).Id);
        }

        foreach (var closed in new[] { ids[1], ids[3] })
        {
            await new ChangeTicketStatusHandler(db, TimeProvider.System).Handle(new ChangeTicketStatus(closed, TicketStatus.Closed), default);
        }

        _open = [ids[0], ids[2], ids[4]];
    }

    private async Task<(Page<TicketSummaryDto> Page, string[] Commands)> ListAsync(ListTickets query)
    {
        var log = new CommandLog();
        await using var db = Context(log);
        var page = await new ListTicketsHandler(db, GridifyQueryEngine.Instance).Handle(query, default);
        return (page, [.. log.Commands]);
    }

    [Fact]
    public async Task A_page_and_its_total_are_one_statement()
    {
        var (first, commands) = await ListAsync(new ListTickets(Filter: "status=Open", OrderBy: "id", PageSize: 2));
        var (second, secondCommands) = await ListAsync(new ListTickets(Filter: "status=Open", OrderBy: "id", Page: 2, PageSize: 2));

        Assert.Equal(_open[..2], first.Items.Select(t => t.Id));
        Assert.Equal(_open[2..], second.Items.Select(t => t.Id));
        Assert.All([first, second], page => Assert.Equal(3, page.TotalItems));
        Assert.True(first.HasNext);
        Assert.False(second.HasNext);
        Assert.Single(commands);
        Assert.Single(secondCommands);
        Assert.Contains("COUNT(*)", commands[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_page_past_the_end_is_counted_apart()
    {
        var (page, commands) = await ListAsync(new ListTickets(Filter: "status=Open", Page: 3, PageSize: 2));

        Assert.Empty(page.Items);
        Assert.Equal(3, page.TotalItems);
        Assert.Equal(2, page.TotalPages);
        Assert.Equal(2, commands.Length);
    }

    [Fact]
    public async Task A_first_page_with_nothing_matching_has_a_total_of_zero_from_one_statement()
    {
        var (page, commands) = await ListAsync(new ListTickets(Filter: "status=Resolved"));

        Assert.Empty(page.Items);
        Assert.Equal(0, page.TotalItems);
        Assert.False(page.HasNext);
        Assert.Single(commands);
    }
}

/// <summary>The page queries on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTicketPageQueryTests(PostgresServer postgres) : TicketPageQueryTests
{
    private string _database = null!;

    public override async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
        }

        await SeedAsync();
    }

    public override Task DisposeAsync() => postgres.DropDatabaseAsync(_database);

    protected override AppDbContext Context(CommandLog? log = null)
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(_database);
        return new PostgresAppDbContext((log is null ? options : options.AddInterceptors(log)).Options);
    }
}

/// <summary>The page queries on SQLite (in memory, the real migrations).</summary>
public sealed class SqliteTicketPageQueryTests : TicketPageQueryTests
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public override async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
        }

        await SeedAsync();
    }

    public override async Task DisposeAsync() => await _connection.DisposeAsync();

    protected override AppDbContext Context(CommandLog? log = null)
    {
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(_connection);
        return new SqliteAppDbContext((log is null ? options : options.AddInterceptors(log)).Options);
    }
}
