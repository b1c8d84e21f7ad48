using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class GridifyErrorTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    private static QuerySyntaxException FilterError(string filter)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Engine.Filter(QueryTestData.Query, filter, QueryTestData.Fields));
        Assert.Equal(QuerySyntaxException.Filter, error.InputKind);
        Assert.Equal(error.Message, Engine.Validate(filter, null, QueryTestData.Fields).Error?.Message);
        return error;
    }

    private static QuerySyntaxException OrderError(string orderBy)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Engine.Order(QueryTestData.Query, orderBy, QueryTestData.Fields, x => x.Id));
        Assert.Equal(QuerySyntaxException.OrderBy, error.InputKind);
        return error;
    }

    [Theory]
    // Fields.
    [InlineData("colour=red", 0, "unknown field 'colour' at 0; known fields: id, title, priority,")]
    [InlineData("title=x,colour=red", 8, "unknown field 'colour' at 8")]
    [InlineData("customer.email=x", 0, "unknown field 'customer.email'")]
    [InlineData("=3", 0, "expected a field name at 0, found '='")]
    [InlineData("title=x,~a=1", 8, "expected a field name at 8, found '~'")]
    // Operators.
    [InlineData("priority~3", 8, "expected an operator after 'priority' at 8, found '~'")]
    [InlineData("priority", 8, "expected an operator after 'priority' at 8, found the end of the filter")]
    [InlineData("priority !3", 9, "expected an operator after 'priority' at 9")]
    [InlineData("priority==3", 8, "'==' at 8 is not an operator; use '='")]
    [InlineData("title!==x", 5, "'!==' at 5 is not an operator; use '!='")]
    [InlineData("priority=*3", 8, "operator '=*' does not apply to 'priority' (whole number) at 8; use = != < > <= >=")]
    [InlineData("priority^3", 8, "operator '^' does not apply to 'priority'")]
    [InlineData("price!$3", 5, "operator '!$' does not apply to 'price'")]
    [InlineData("createdAt=*2026", 9, "operator '=*' does not apply to 'createdAt'")]
    [InlineData("active>true", 6, "operator '>' does not apply to 'active' (true or false) at 6; use = !=")]
    [InlineData("key<4a4a4a4a-0000-4000-8000-000000000004", 3, "operator '<' does not apply to 'key'")]
    [InlineData("state=*Open", 5, "operator '=*' does not apply to 'state'")]
    [InlineData("tags=*bill", 4, "operator '=*' does not apply to 'tags' (a list of text) at 4; use = (contains) or != (does not contain)")]
    [InlineData("tags>a", 4, "operator '>' does not apply to 'tags'")]
    // Values.
    [InlineData("priority=abc", 9, "'abc' is not a whole number for 'priority' (at 9)")]
    [InlineData("priority=1.5", 9, "'1.5' is not a whole number for 'priority'")]
    [InlineData("priority=99999999999", 9, "is not a whole number")]
    [InlineData("price=1.2.3", 6, "'1.2.3' is not a number for 'price'")]
    [InlineData("price=1,5", 8, "unknown field '5' at 8")]
    [InlineData("score=NaN", 6, "'NaN' is not a number for 'score'")]
    [InlineData("state=Opened", 6, "'Opened' is not one of Open, InProgress, Resolved, Closed for 'state'")]
    [InlineData("state=1", 6, "'1' is not one of Open, InProgress, Resolved, Closed")]
    [InlineData("state=Open,Closed", 11, "unknown field 'Closed' at 11")]
    [InlineData("createdAt=2026-13-01", 10, "'2026-13-01' is not an ISO 8601 date-time")]
    [InlineData("createdAt=01/02/2026", 10, "is not an ISO 8601 date-time (e.g. 2026-01-31 or 2026-01-31T08:00:00Z) for 'createdAt'")]
    [InlineData("createdAt>yesterday", 10, "'yesterday' is not an ISO 8601 date-time")]
    [InlineData("key=not-a-guid", 4, "'not-a-guid' is not a GUID for 'key'")]
    [InlineData("active=yes", 7, "'yes' is not true or false for 'active'")]
    [InlineData("active=1", 7, "'1' is not true or false")]
    [InlineData("priority<", 9, "missing value for 'priority' at 9; expected a whole number")]
    [InlineData("priority=3/i", 10, "'/i' at 10 applies only to text; 'priority' is a whole number")]
    [InlineData("priority<null", 9, "'null' is not a whole number for 'priority'")]
    [InlineData("priority=null", 9, "'priority' is never null (null at 9)")]
    [InlineData("tags=null", 5, "'tags' is never null")]
    [InlineData("title=a(b", 7, "unexpected '(' at 7 inside a value; write \\( for a literal '('")]
    [InlineData(@"title=abc\", 9, @"'\' at 9 ends the filter")]
    // Structure.
    [InlineData("(priority=3", 11, "missing ')' at 11 to close the '(' at 0")]
    [InlineData("((priority=3)", 13, "missing ')' at 13 to close the '(' at 0")]
    [InlineData("(priority=3|(active=true)", 25, "missing ')' at 25 to close the '(' at 0")]
    [InlineData("priority=3)", 10, "unexpected ')' at 10: no '(' is open")]
    [InlineData("(priority=3))", 12, "unexpected ')' at 12")]
    [InlineData("title=*foo)", 10, "unexpected ')' at 10")]
    [InlineData("priority=3,", 11, "expected a condition at 11 after the ',' at 10, found the end of the filter")]
    [InlineData("priority=3|", 11, "after the '|' at 10")]
    [InlineData("priority=3, ", 12, "expected a condition at 12 after the ',' at 10")]
    [InlineData(",priority=3", 0, "expected a condition at 0, found ','")]
    [InlineData("|priority=3", 0, "expected a condition at 0, found '|'")]
    [InlineData("priority=3,,active=true", 11, "expected a condition at 11, found ','")]
    [InlineData("priority=3|,active=true", 11, "expected a condition at 11, found ','")]
    [InlineData("()", 1, "expected a condition at 1, found ')'")]
    [InlineData("(", 1, "expected a condition at 1, found the end of the filter")]
    [InlineData(")", 0, "expected a condition at 0, found ')'")]
    [InlineData("(priority=3)active=true", 12, "expected ',', '|' or ')' at 12, found 'a'")]
    public void A_malformed_filter_names_the_problem_and_its_position(string filter, int position, string message)
    {
        var error = FilterError(filter);

        Assert.Equal(position, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_longer_than_2000_characters_is_refused()
    {
        var error = FilterError("title=*" + new string('x', 1994));

        Assert.Equal(2000, error.Position);
        Assert.Equal("filter longer than 2000 characters (2001)", error.Message);
    }

    [Fact]
    public void Parentheses_nested_deeper_than_32_are_refused()
    {
        var error = FilterError(new string('(', 33) + "priority=3" + new string(')', 33));

        Assert.Equal(32, error.Position);
        Assert.Equal("parentheses nested deeper than 32 at 32", error.Message);
    }

    [Fact]
    public void Deep_nesting_within_the_length_limit_fails_fast_without_recursion_trouble()
    {
        var error = FilterError(new string('(', 2000));

        Assert.Equal(32, error.Position);
    }

    [Fact]
    public void More_than_100_conditions_are_refused()
    {
        var error = FilterError(string.Join('|', Enumerable.Repeat("priority=3", 101)));

        Assert.Equal(1100, error.Position);
        Assert.StartsWith("more than 100 conditions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_unknown_field_name_is_shortened_in_the_message()
    {
        var error = FilterError(new string('a', 500) + "=1");

        Assert.Equal(0, error.Position);
        Assert.Contains("unknown field '" + new string('a', 40) + "…' at 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("colour", 0, "unknown field 'colour' at 0; known fields: id, title,")]
    [InlineData("priority desc, colour asc", 15, "unknown field 'colour' at 15")]
    [InlineData("priority descending", 9, "expected 'asc' or 'desc' after 'priority' at 9, found 'descending'")]
    [InlineData("priority up", 9, "expected 'asc' or 'desc'")]
    [InlineData("priority desc,", 14, "expected a field name at 14, found the end of orderBy")]
    [InlineData("priority desc x", 14, "expected ',' at 14, found 'x'")]
    [InlineData(",priority", 0, "expected a field name at 0, found ','")]
    [InlineData("priority,,id", 9, "expected a field name at 9, found ','")]
    [InlineData("priority=3", 8, "expected 'asc' or 'desc' after 'priority' at 8, found '=3'")]
    [InlineData("tags", 0, "'tags' at 0 is a list and cannot be ordered by")]
    [InlineData("priority, PRIORITY desc", 10, "'priority' at 10 is already in the order")]
    [InlineData("score?, score desc, SCORE? desc", 20, "'score?' at 20 is already in the order")]
    [InlineData("priority?", 8, "'?' at 8 orders by whether 'priority' has a value, but it always has one")]
    [InlineData("score ?", 6, "expected 'asc' or 'desc' after 'score' at 6, found '?'")]
    [InlineData("score?!", 6, "expected 'asc' or 'desc' after 'score' at 6, found '!'")]
    public void A_malformed_order_by_names_the_problem_and_its_position(string orderBy, int position, string message)
    {
        var error = OrderError(orderBy);

        Assert.Equal(position, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_order_by_longer_than_2000_characters_is_refused()
    {
        var error = OrderError("priority" + new string(' ', 1993));

        Assert.Equal(2000, error.Position);
    }
}
