using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpCqrs.Querying;
using McpCqrs.Application.Tickets;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Toon;

namespace McpCqrs.Benchmarks;

/// <summary>
/// The query side's per-call work: a Gridify filter and order parsed and type-checked against the ticket field
/// map, and the LINQ expression built from them (no database); and a page of 20 tickets written as TOON and as JSON.
/// </summary>
[MemoryDiagnoser]
public class QueryAndOutputBenchmarks
{
    private const string Filter = "title=*printer/i,(priority>=High|status=Open),customer.name^Acme,tags=hardware";
    private const string OrderBy = "priority desc, createdAt";
    private readonly IQueryable<Ticket> _tickets = Array.Empty<Ticket>().AsQueryable();
    private JsonElement _page;

    [GlobalSetup]
    public void Setup()
    {
        var items = Enumerable.Range(1, 20).Select(i => new TicketSummaryDto(
            i, 100 + (i % 3), $"Customer {i % 3}", $"Printer {i} jams on tray {i % 4}", TicketStatus.Open, (TicketPriority)(i % 4),
            i % 2 == 0 ? "alice" : null, ["hardware", "printer"], new DateTime(2026, 11, 1, 9, i, 0, DateTimeKind.Utc), new DateTime(2026, 11, 2, 9, i, 0, DateTimeKind.Utc)));
        _page = JsonSerializer.SerializeToElement(new { items, page = 1, pageSize = 20, totalItems = 20 }, McpCqrs.Mcp.Serialization.AppJson.Options);
    }

    [Benchmark]
    public FilterCheck ParseFilter() => GridifyQueryEngine.Instance.Validate(Filter, OrderBy, TicketFields.Map);

    [Benchmark]
    public System.Linq.Expressions.Expression BuildQuery() =>
        GridifyQueryEngine.Instance.Order(GridifyQueryEngine.Instance.Filter(_tickets, Filter, TicketFields.Map), OrderBy, TicketFields.Map, t => t.Id).Expression;

    [Benchmark]
    public string PageAsToon() => ToonEncoder.Encode(_page);

    [Benchmark]
    public string PageAsJson() => JsonSerializer.Serialize(_page);
}
