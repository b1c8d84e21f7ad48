using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class FieldMapTests
{
    [Fact]
    public void Fields_describe_names_types_and_operators()
    {
        var fields = QueryTestData.Fields.Fields.ToDictionary(f => f.Name);

        Assert.Equal(["=", "!=", "<", ">", "<=", ">=", "=*", "!*", "^", "$", "!^", "!$"], fields["title"].Operators);
        Assert.Equal("The item's title.", fields["title"].Description);
        Assert.True(fields["title"].CaseInsensitive);
        Assert.Equal(["=", "!=", "<", ">", "<=", ">="], fields["priority"].Operators);
        Assert.Equal(typeof(int), fields["priority"].ValueType);
        Assert.Equal(["=", "!="], fields["active"].Operators);
        Assert.Equal(["=", "!="], fields["key"].Operators);
        Assert.Equal(["Open", "InProgress", "Resolved", "Closed"], fields["state"].AllowedValues);
        Assert.Equal(["=", "!="], fields["tags"].Operators);
        Assert.False(fields["tags"].CanOrderBy);
        Assert.True(fields["score"].Nullable);
        Assert.True(fields["note"].Nullable);
        Assert.True(fields["customer.name"].Nullable);
        Assert.False(fields["title"].Nullable);
        Assert.False(fields["priority"].Nullable);
        Assert.Equal("createdAt desc", QueryTestData.Fields.DefaultOrder);
    }

    [Fact]
    public void Describe_summarises_the_syntax_and_every_field()
    {
        var text = QueryTestData.Fields.Describe();

        Assert.Contains("(a=1|b=2),c=3", text, StringComparison.Ordinal);
        Assert.Contains("- state: one of Open, InProgress, Resolved, Closed; = != < > <= >=", text, StringComparison.Ordinal);
        Assert.Contains("- tags: a list of text; = (contains) != (does not contain)", text, StringComparison.Ordinal);
        Assert.Contains("- title: text; = != < > <= >= =* !* ^ $ !^ !$. The item's title.", text, StringComparison.Ordinal);
        Assert.Contains("- note: text, may be null;", text, StringComparison.Ordinal);
        Assert.Contains("default: createdAt desc", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_must_be_unique_regardless_of_case_and_well_formed()
    {
        var fields = new FieldMap<Item>().Map("title", x => x.Title);

        Assert.Throws<ArgumentException>(() => fields.Map("Title", x => x.Note));
        Assert.Throws<ArgumentException>(() => fields.Map("bad name", x => x.Note));
        Assert.Throws<ArgumentException>(() => fields.Map("1st", x => x.Note));
        Assert.Throws<ArgumentException>(() => fields.Map("", x => x.Note));
    }

    [Fact]
    public void Only_member_paths_of_supported_types_can_be_mapped()
    {
        var fields = new FieldMap<Item>();

        Assert.Throws<ArgumentException>(() => fields.Map("upper", x => x.Title.ToUpperInvariant()));
        Assert.Throws<ArgumentException>(() => fields.Map("constant", x => 42));
        Assert.Throws<ArgumentException>(() => fields.Map("customer", x => x.Customer));
        Assert.Empty(fields.Fields);
    }

    [Fact]
    public void A_default_order_must_use_mapped_fields()
    {
        var fields = new FieldMap<Item>().Map("title", x => x.Title);

        var error = Assert.Throws<ArgumentException>(() => fields.OrderByDefault("createdAt desc"));

        Assert.IsType<QuerySyntaxException>(error.InnerException);
    }
}
