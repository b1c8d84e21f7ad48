using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class GridifyOrderTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    private static int[] Ids(string? orderBy) =>
        [.. Engine.Order(QueryTestData.Query, orderBy, QueryTestData.Fields, x => x.Id).Select(x => x.Id)];

    [Theory]
    [InlineData("priority desc", new[] { 4, 6, 1, 3, 5, 2 })]
    [InlineData("PRIORITY DESC", new[] { 4, 6, 1, 3, 5, 2 })]
    [InlineData("priority", new[] { 2, 3, 5, 1, 6, 4 })]
    [InlineData("priority asc", new[] { 2, 3, 5, 1, 6, 4 })]
    [InlineData("active desc, priority", new[] { 3, 5, 1, 6, 2, 4 })]
    [InlineData(" active desc ,priority desc ", new[] { 6, 1, 3, 5, 4, 2 })]
    [InlineData("state desc, createdAt desc", new[] { 3, 5, 6, 2, 4, 1 })]
    [InlineData("customer.name", new[] { 3, 4, 1, 6, 5, 2 })]
    [InlineData("customer.name desc, id desc", new[] { 2, 5, 6, 1, 4, 3 })]
    [InlineData("score desc", new[] { 2, 6, 4, 3, 1, 5 })]
    [InlineData("title", new[] { 6, 3, 1, 5, 4, 2 })]
    // Gridify's null checks: field? orders by whether it has a value, field! by whether it has none.
    [InlineData("score?", new[] { 1, 5, 2, 3, 4, 6 })]
    [InlineData("score? desc", new[] { 2, 3, 4, 6, 1, 5 })]
    [InlineData("score!, score desc", new[] { 2, 6, 4, 3, 1, 5 })]
    [InlineData("note!", new[] { 2, 3, 4, 5, 6, 1 })]
    [InlineData("customer.name?, customer.name desc", new[] { 3, 2, 5, 1, 6, 4 })]
    public void Items_are_ordered_by_several_keys_then_by_the_tie_breaker(string orderBy, int[] expected) =>
        Assert.Equal(expected, Ids(orderBy));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_an_order_the_map_default_applies(string? orderBy) =>
        Assert.Equal([4, 3, 6, 2, 1, 5], Ids(orderBy));

    [Fact]
    public void The_tie_breaker_alone_orders_when_there_is_no_default()
    {
        var fields = new FieldMap<Item>().Map("priority", x => x.Priority);

        var ids = Engine.Order(QueryTestData.Items.Reverse().AsQueryable(), null, fields, x => x.Id).Select(x => x.Id);

        Assert.Equal([1, 2, 3, 4, 5, 6], ids);
    }

    [Fact]
    public void Nothing_to_order_by_is_a_programming_error()
    {
        var fields = new FieldMap<Item>().Map("priority", x => x.Priority);

        Assert.Throws<InvalidOperationException>(() => Engine.Order(QueryTestData.Query, "", fields));
    }

    [Fact]
    public void Paging_takes_the_requested_page_of_the_ordered_query()
    {
        var ordered = Engine.Order(QueryTestData.Query, "priority desc", QueryTestData.Fields, x => x.Id);

        Assert.Equal([1, 3], ordered.Page(2, 2).Select(x => x.Id));
        Assert.Equal([2], ordered.Page(new PageRequest(3, 2)).Select(x => x.Id).Skip(1));
        Assert.Empty(ordered.Page(4, 2));
        Assert.Empty(ordered.Page(int.MaxValue, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ordered.Page(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ordered.Page(1, 0));
    }
}
