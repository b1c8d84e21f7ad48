using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class GridifyFilterTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    private static string Ids(string? filter) =>
        string.Join(',', Engine.Filter(QueryTestData.Query, filter, QueryTestData.Fields).Select(x => x.Id).Order());

    [Theory]
    // = and != on text; /i lower-cases both sides.
    [InlineData("title=printer jam", "2")]
    [InlineData("title!=printer jam", "1,3,4,5,6")]
    [InlineData("title=Printer JAM", "")]
    [InlineData("title=Printer JAM/i", "2")]
    [InlineData("title!=PRINTER JAM/i", "1,3,4,5,6")]
    // Contains, starts with, ends with, and their negations.
    [InlineData("title=*printer", "2")]
    [InlineData("title=*printer/i", "1,2")]
    [InlineData("title!*printer/i", "3,4,5,6")]
    [InlineData("title^Printer", "1")]
    [InlineData("title^printer/i", "1,2")]
    [InlineData("title$fire", "1")]
    [InlineData("title$FIRE/i", "1")]
    [InlineData("title!^Printer", "2,3,4,5,6")]
    [InlineData("title!$fire", "2,3,4,5,6")]
    // Text ordering is string.Compare (ordinal here, the column's collation in SQL).
    [InlineData("title<M", "3,6")]
    [InlineData("title>=p", "2")]
    [InlineData("title>=p/i", "1,2,4,5")]
    // Numbers.
    [InlineData("priority=3", "1")]
    [InlineData("priority!=3", "2,3,4,5,6")]
    [InlineData("priority>3", "4,6")]
    [InlineData("priority>=3", "1,4,6")]
    [InlineData("priority<2", "2")]
    [InlineData("priority<=2", "2,3,5")]
    [InlineData("priority>=-1", "1,2,3,4,5,6")]
    [InlineData("price=10.5", "1")]
    [InlineData("price>=20", "2,5")]
    [InlineData("price<1e1", "3,4,6")]
    // null, the empty value, and an escaped or non-equality "null" which is text.
    [InlineData("note=null", "1")]
    [InlineData("note!=null", "2,3,4,5,6")]
    [InlineData("note=", "1,3")]
    [InlineData("note!=", "2,4,5,6")]
    [InlineData("priority=", "")]
    [InlineData("priority!=", "1,2,3,4,5,6")]
    [InlineData(@"note=\null", "5")]
    [InlineData("note=*null", "5")]
    [InlineData("note=*o", "6")]
    [InlineData("note!*o", "1,2,3,4,5")]
    [InlineData("score=null", "1,5")]
    [InlineData("score!=null", "2,3,4,6")]
    [InlineData("score>2", "2,4,6")]
    [InlineData("score<=1", "3")]
    // Escapes.
    [InlineData(@"note=paper\, stuck", "2")]
    [InlineData(@"note=*\,", "2")]
    [InlineData(@"title=VPN \| slow", "4")]
    [InlineData(@"title=*\(SSO\)", "3")]
    [InlineData(@"note=back\\slash", "4")]
    [InlineData(@"title=Reset password\/i", "5")]
    [InlineData(@"title$\/i", "5")]
    [InlineData("title=*d/i", "5")]
    // Enums by name, any case.
    [InlineData("state=Open", "1,4")]
    [InlineData("state=inprogress", "2,6")]
    [InlineData("state!=Open", "2,3,5,6")]
    [InlineData("state>Resolved", "3")]
    [InlineData("state<=InProgress", "1,2,4,6")]
    // Dates are ISO 8601, UTC unless an offset is given.
    [InlineData("createdAt>=2026-01-02", "2,3,4,6")]
    [InlineData("createdAt<2026-01-01T00:00:01Z", "1,5")]
    [InlineData("createdAt=2026-01-03T12:30:00Z", "3")]
    [InlineData("createdAt=2026-01-03T12:30", "3")]
    [InlineData("createdAt=2026-01-03T14:30:00+02:00", "3")]
    [InlineData("createdAt=2025-12-31 23:59:59", "5")]
    // bool and Guid.
    [InlineData("active=true", "1,3,5,6")]
    [InlineData("active=FALSE", "2,4")]
    [InlineData("active!=true", "2,4")]
    [InlineData("key=4a4a4a4a-0000-4000-8000-000000000004", "4")]
    [InlineData("key!=4A4A4A4A-0000-4000-8000-000000000004", "1,2,3,5,6")]
    // Nested path: a missing customer behaves as a null name.
    [InlineData("customer.name=Ada Lovelace", "1,6")]
    [InlineData("Customer.Name^Ada", "1,4,6")]
    [InlineData("customer.name=null", "3")]
    [InlineData("customer.name!=null", "1,2,4,5,6")]
    [InlineData("customer.name!=Ada Lovelace", "2,3,4,5")]
    [InlineData("customer.name!^Ada", "2,3,5")]
    [InlineData("customer.name=*LOVE/i", "1,6")]
    // Collections: = contains the element, != does not.
    [InlineData("tags=billing", "1,5")]
    [InlineData("tags!=billing", "2,3,4,6")]
    [InlineData("tags=network", "")]
    [InlineData("tags=network/i", "4")]
    [InlineData("tags!=NETWORK/i", "1,2,3,5,6")]
    [InlineData("tags=", "")]
    // White space around names and operators and before values is ignored; blank filters filter nothing.
    [InlineData("  priority = 3 ,  active = true  ", "1")]
    [InlineData("title = printer jam/i ", "2")]
    // As in Gridify, white space after a text value is part of it (other types ignore it).
    [InlineData("title = printer jam /i ", "")]
    [InlineData("title$jam |id=6", "6")]
    [InlineData("title=*printer ,priority=1 ", "2")]
    [InlineData("(title=printer jam )", "")]
    [InlineData(@"title=printer jam\ ", "")]
    [InlineData("note=null ,id<3", "")]
    [InlineData("", "1,2,3,4,5,6")]
    [InlineData("   ", "1,2,3,4,5,6")]
    [InlineData(null, "1,2,3,4,5,6")]
    public void A_filter_selects_the_matching_items(string? filter, string expected) =>
        Assert.Equal(expected, Ids(filter));

    [Theory]
    // ',' and '|' have the same precedence, left to right (Gridify): a|b,c is (a|b),c, not a|(b,c).
    [InlineData("active=true|priority=1,state=Open", "1")]
    [InlineData("(active=true|priority=1),state=Open", "1")]
    [InlineData("active=true|(priority=1,state=Open)", "1,3,5,6")]
    // a,b|c is (a,b)|c either way.
    [InlineData("state=Open,priority=5|priority=1", "2,4")]
    [InlineData("state=Open,(priority=5|priority=1)", "4")]
    [InlineData("((priority=3))", "1")]
    [InlineData("(state=Open|state=Closed),(customer.name^Ada|customer.name=null),tags!=vpn", "1,3")]
    public void Comma_and_pipe_read_left_to_right_and_parentheses_group(string filter, string expected) =>
        Assert.Equal(expected, Ids(filter));

    [Fact]
    public void The_two_readings_of_a_mixed_filter_differ_on_this_data()
    {
        // Proof that the test above can fail: the data set separates the two readings.
        Assert.NotEqual(Ids("(active=true|priority=1),state=Open"), Ids("active=true|(priority=1,state=Open)"));
        Assert.Equal(Ids("(active=true|priority=1),state=Open"), Ids("active=true|priority=1,state=Open"));
    }

    [Fact]
    public void Thirty_two_levels_of_parentheses_and_a_hundred_conditions_are_accepted()
    {
        Assert.Equal("1", Ids(new string('(', 32) + "priority=3" + new string(')', 32)));
        Assert.Equal("1", Ids(string.Join(',', Enumerable.Repeat("priority=3", 100))));
    }

    [Fact]
    public void A_filter_of_two_thousand_characters_is_accepted()
    {
        var filter = "title=*" + new string('x', 2000 - 7);

        Assert.Equal(2000, filter.Length);
        Assert.Equal("", Ids(filter));
    }

    [Fact]
    public void Dates_are_converted_to_utc()
    {
        var items = new[] { new Item { Title = "t", CreatedAt = new DateTime(2026, 1, 3, 12, 30, 0, DateTimeKind.Utc) } }.AsQueryable();

        Assert.Single(Engine.Filter(items, "createdAt=2026-01-03T13:30:00+01:00", QueryTestData.Fields));
    }

    [Fact]
    public void Filtering_composes_with_an_existing_where()
    {
        var query = QueryTestData.Query.Where(x => x.Active);

        Assert.Equal([1, 6], Engine.Filter(query, "customer.name=Ada Lovelace", QueryTestData.Fields).Select(x => x.Id).Order());
    }

    [Fact]
    public void Validate_accepts_valid_inputs_and_reports_the_first_error()
    {
        Assert.True(Engine.Validate("priority>=3|title=*x", "priority desc", QueryTestData.Fields).IsValid);
        Assert.True(Engine.Validate(null, null, QueryTestData.Fields).IsValid);

        var badFilter = Engine.Validate("priority=high", "colour", QueryTestData.Fields);
        Assert.False(badFilter.IsValid);
        Assert.Equal(QuerySyntaxException.Filter, badFilter.Error!.InputKind);
        Assert.Equal(9, badFilter.Error.Position);

        var badOrder = Engine.Validate("priority=3", "priority desc, colour", QueryTestData.Fields);
        Assert.Equal(QuerySyntaxException.OrderBy, badOrder.Error!.InputKind);
        Assert.Equal(15, badOrder.Error.Position);
        Assert.Throws<QuerySyntaxException>(badOrder.ThrowIfInvalid);
    }
}
