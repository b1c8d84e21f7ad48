using McpCqrs.Querying;
using McpCqrs.Domain.Customers;
using McpCqrs.Domain.Tickets;
using McpCqrs.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Unit.Querying;

/// <summary>
/// The engine's expressions against the real model: EF Core must translate every one of them to SQL (no client
/// evaluation), on both providers. Nothing here talks to a database server; one test runs SQLite in memory.
/// </summary>
public sealed class GridifySqlTranslationTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    internal static readonly FieldMap<Ticket> TicketFields = new FieldMap<Ticket>()
        .Map("id", t => t.Id)
        .Map("title", t => t.Title)
        .Map("status", t => t.Status)
        .Map("priority", t => t.Priority)
        .Map("assignee", t => t.Assignee)
        .Map("tags", t => t.Tags)
        .Map("createdAt", t => t.CreatedAt)
        .Map("updatedAt", t => t.UpdatedAt)
        .Map("closedAt", t => t.ClosedAt)
        .Map("customer.name", t => t.Customer!.Name)
        .OrderByDefault("updatedAt desc");

    internal static PostgresAppDbContext Postgres() =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=unused").Options);

    internal static SqliteAppDbContext Sqlite() =>
        new(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=:memory:").Options);

    public static TheoryData<string, string> Filters => new()
    {
        { "title=*printer/i", "Title" },
        { "title=Printer on fire", "Title" },
        { "title!^Printer", "Title" },
        { "title<M", "Title" },
        { "customer.name^Ada", "Name" },
        { "customer.name!=Ada", "Name" },
        { "customer.name=null", "customers" },
        { "tags=billing", "Tags" },
        { "tags!=billing", "Tags" },
        { "tags=Billing/i", "Tags" },
        { "assignee=null", "Assignee" },
        { "assignee!=null", "Assignee" },
        { "assignee!*sam/i", "Assignee" },
        { "status=Open|priority>=High", "Priority" },
        { "(status=Open|status=InProgress),assignee!=null", "Status" },
        { "createdAt>=2026-01-01T00:00:00Z,createdAt<2026-02-01", "CreatedAt" },
        { "closedAt=null|closedAt>2026-01-01", "ClosedAt" },
        { "id=5", "Id" },
        { "priority<Urgent,status!=Closed", "Priority" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void Postgres_translates_the_filter_to_a_where_clause(string filter, string column)
    {
        using var db = Postgres();

        var sql = Engine.Filter(db.Tickets, filter, TicketFields).ToQueryString();

        Assert.Contains("WHERE", sql, StringComparison.Ordinal);
        Assert.Contains(column, sql, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void Sqlite_translates_the_filter_to_a_where_clause(string filter, string column)
    {
        using var db = Sqlite();

        var sql = Engine.Filter(db.Tickets, filter, TicketFields).ToQueryString();

        Assert.Contains("WHERE", sql, StringComparison.Ordinal);
        Assert.Contains(column, sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Case_insensitive_matching_lowers_the_column_and_sends_the_value_as_a_parameter()
    {
        using var db = Postgres();

        var sql = Engine.Filter(db.Tickets, "title=*PRINTER/i", TicketFields).ToQueryString();

        Assert.Contains("lower(t.\"Title\")", sql, StringComparison.Ordinal);
        Assert.Contains("@Value_contains='%printer%'", sql, StringComparison.Ordinal); // a parameter, lower-cased
        Assert.DoesNotContain("PRINTER", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Orders_translate_to_order_by_with_the_tie_breaker_last()
    {
        using var db = Sqlite();

        var sql = Engine.Order(db.Tickets, "priority desc, customer.name", TicketFields, t => t.Id).ToQueryString();

        Assert.Contains("ORDER BY \"t\".\"Priority\" DESC, \"c\".\"Name\", \"t\".\"Id\"", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_order_translates_too()
    {
        using var db = Postgres();

        var sql = Engine.Order(db.Tickets, null, TicketFields, t => t.Id).Page(2, 10).ToQueryString();

        Assert.Contains("ORDER BY t.\"UpdatedAt\" DESC, t.\"Id\"", sql, StringComparison.Ordinal);
        Assert.Contains("LIMIT", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_runs_against_a_real_sqlite_database()
    {
        await using var database = await TestDatabase.CreateAsync();
        var now = new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        await using (var db = database.NewContext())
        {
            var ada = Customer.Create("Ada Lovelace", "ada@example.com", null, now);
            var grace = Customer.Create("Grace Hopper", "grace@example.com", null, now);
            db.Add(ada);
            db.Add(grace);
            await db.SaveChangesAsync();

            var printer = Ticket.Create(ada.Id, "Printer on fire", null, TicketPriority.Urgent, ["billing", "hardware"], now);
            var invoice = Ticket.Create(ada.Id, "Invoice wrong", null, TicketPriority.Low, ["billing"], now.AddMinutes(1));
            var vpn = Ticket.Create(grace.Id, "VPN slow", null, TicketPriority.High, ["network"], now.AddMinutes(2));
            var login = Ticket.Create(grace.Id, "Login PRINTER page", null, TicketPriority.Normal, null, now.AddMinutes(3));
            vpn.AssignTo("sam", now.AddMinutes(4));
            db.Add(printer);
            db.Add(invoice);
            db.Add(vpn);
            db.Add(login);
            await db.SaveChangesAsync();
        }

        await using var query = database.NewContext();
        var fields = TicketFields;

        async Task<string[]> Titles(string filter, string? orderBy = "title") =>
            [.. await Engine.Order(Engine.Filter(query.Tickets, filter, fields), orderBy, fields, t => t.Id).Select(t => t.Title).ToListAsync()];

        Assert.Equal(["Invoice wrong", "Printer on fire"], await Titles("customer.name^Ada,tags=billing"));
        Assert.Equal(["Login PRINTER page", "Printer on fire"], await Titles("title=*printer/i"));
        Assert.Equal(["Invoice wrong", "Login PRINTER page", "Printer on fire"], await Titles("assignee=null"));
        Assert.Equal(["VPN slow"], await Titles("tags=NETWORK/i"));
        Assert.Equal(["Login PRINTER page", "VPN slow"], await Titles("tags!=billing"));
        // Left to right: (priority>=High|customer.name=Grace Hopper),assignee=null, not priority>=High|(... , ...).
        Assert.Equal(["Login PRINTER page", "Printer on fire"], await Titles("priority>=High|customer.name=Grace Hopper,assignee=null"));
        Assert.Equal(["Login PRINTER page", "Printer on fire", "VPN slow"], await Titles("priority>=High|(customer.name=Grace Hopper,assignee=null)"));
        Assert.Equal(["Printer on fire", "VPN slow", "Login PRINTER page", "Invoice wrong"], await Titles("", "priority desc"));
    }
}
