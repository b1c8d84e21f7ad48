using McpCqrs.Application.Tickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

// The hand-written peer of the list_tickets scenario: a minimal API running the same EF Core query on the same
// PostgreSQL database — open tickets, most recently updated first, a page of 20 with the total — and writing the
// page as JSON. No MCP, no pipeline: the floor for a selector tool that reads the database.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContextPool<PostgresAppDbContext>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Default")));
var app = builder.Build();
app.MapGet("/tickets", async (PostgresAppDbContext db, CancellationToken ct) =>
{
    var open = db.Set<Ticket>().Where(t => t.Status == TicketStatus.Open);
    var total = await open.CountAsync(ct);
    var items = await open.OrderByDescending(t => t.UpdatedAt).ThenBy(t => t.Id).Take(20)
        .Select(t => new TicketSummaryDto(t.Id, t.CustomerId, t.Customer!.Name, t.Title, t.Status, t.Priority, t.Assignee, t.Tags, t.CreatedAt, t.UpdatedAt))
        .ToListAsync(ct);
    return Results.Json(new { items, page = 1, pageSize = 20, totalItems = total });
});
app.Run();
