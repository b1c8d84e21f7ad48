using McpCqrs.Querying;
using McpCqrs.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Unit.Querying;

/// <summary>
/// A field map remembers the predicates and order keys the engine made of recent inputs: a remembered one must give
/// the same rows as a fresh one, a bad input must fail every time, and inputs past the bound still work.
/// </summary>
public sealed class GridifyRememberedInputTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    private static FieldMap<Item> NewMap() => new FieldMap<Item>()
        .Map("id", x => x.Id)
        .Map("title", x => x.Title)
        .Map("priority", x => x.Priority)
        .OrderByDefault("priority desc");

    private static string Ids(IQueryable<Item> query) => string.Join(',', query.Select(x => x.Id));

    [Fact]
    public void A_remembered_filter_gives_the_rows_a_fresh_one_gives()
    {
        var map = NewMap();
        var first = Ids(Engine.Filter(QueryTestData.Query, "priority>=3|title=*printer/i", map).OrderBy(x => x.Id));
        var again = Ids(Engine.Filter(QueryTestData.Query, "priority>=3|title=*printer/i", map).OrderBy(x => x.Id));
        var fresh = Ids(Engine.Filter(QueryTestData.Query, "priority>=3|title=*printer/i", NewMap()).OrderBy(x => x.Id));

        Assert.Equal(fresh, first);
        Assert.Equal(fresh, again);
        Assert.True(Engine.Validate("priority>=3|title=*printer/i", null, map).IsValid);
    }

    [Fact]
    public void A_remembered_order_gives_the_order_a_fresh_one_gives()
    {
        var map = NewMap();
        var first = Ids(Engine.Order(QueryTestData.Query, "priority desc, title", map, x => x.Id));
        var again = Ids(Engine.Order(QueryTestData.Query, "priority desc, title", map, x => x.Id));

        Assert.Equal(Ids(Engine.Order(QueryTestData.Query, "priority desc, title", NewMap(), x => x.Id)), first);
        Assert.Equal(first, again);
    }

    [Fact]
    public void A_bad_filter_or_order_fails_every_time()
    {
        var map = NewMap();
        for (var i = 0; i < 2; i++)
        {
            Assert.Throws<QuerySyntaxException>(() => Engine.Filter(QueryTestData.Query, "nope=1", map));
            Assert.Throws<QuerySyntaxException>(() => Engine.Order(QueryTestData.Query, "nope desc", map));
            Assert.False(Engine.Validate("nope=1", null, map).IsValid);
            Assert.False(Engine.Validate(null, "nope", map).IsValid);
        }
    }

    [Fact]
    public void Filters_past_the_bound_are_still_applied()
    {
        var map = NewMap();
        for (var id = 1; id <= FieldMap<Item>.MaxRemembered + 20; id++)
        {
            var expected = QueryTestData.Query.Any(x => x.Id == id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
            Assert.Equal(expected, Ids(Engine.Filter(QueryTestData.Query, $"id={id}", map)));
        }
    }

    [Fact]
    public void A_blank_filter_is_no_filter()
    {
        var query = QueryTestData.Query;
        Assert.Same(query, Engine.Filter(query, "   ", NewMap()));
        Assert.Throws<QuerySyntaxException>(() => Engine.Filter(QueryTestData.Query, new string(' ', GridifyQueryEngine.MaxFilterLength + 1), NewMap()));
    }

    [Fact]
    public void Ticket_filters_still_reach_the_database_as_parameters()
    {
        using var db = GridifySqlTranslationTests.Postgres();
        var first = Engine.Filter(db.Set<Ticket>(), "title=Printer", GridifySqlTranslationTests.TicketFields).ToQueryString();
        var again = Engine.Filter(db.Set<Ticket>(), "title=Printer", GridifySqlTranslationTests.TicketFields).ToQueryString();

        Assert.Equal(first, again);
        Assert.DoesNotContain("= 'Printer'", first, StringComparison.Ordinal);
    }
}
