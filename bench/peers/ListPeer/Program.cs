using McpCqrs.Application.Tickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Querying;
using Microsoft.EntityFrameworkCore;

// The hand-written peer of the list_tickets scenario: a minimal API running the same EF Core filter, order, paging
// and projection on the same PostgreSQL database — tickets in the status the request names, most recently updated
// first, the page the request asks for, with the total — and writing the page as JSON. Like list_tickets it reads the
// status and the page from the request, so both send parameterized statements; it counts, then reads the page (two
// statements, as such an endpoint is usually written), where list_tickets reads both in one. No MCP, no pipeline:
// the floor for a selector tool that reads the database.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContextPool<PostgresAppDbContext>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Default")));
var app = builder.Build();
app.MapGet("/tickets", async (PostgresAppDbContext db, TicketStatus status, int page, int pageSize, CancellationToken ct) =>
{
    var matching = db.Set<Ticket>().Where(t => t.Status == status);
    var total = await matching.CountAsync(ct);
    var items = await matching.OrderByDescending(t => t.UpdatedAt).ThenBy(t => t.Id).Page(page, pageSize)
        .Select(t => new TicketSummaryDto(t.Id, t.CustomerId, t.Customer!.Name, t.Title, t.Status, t.Priority, t.Assignee, t.Tags, t.CreatedAt, t.UpdatedAt))
        .ToListAsync(ct);
    return Results.Json(new { items, page, pageSize, totalItems = total });
});
app.Run();
