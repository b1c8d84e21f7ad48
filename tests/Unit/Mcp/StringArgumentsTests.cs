using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Methods;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary><see cref="StringArguments"/>: prompt arguments and URI template variables arrive as strings.</summary>
public sealed class StringArgumentsTests
{
    private static QsTyped Bind(params (string Name, string Value)[] values) =>
        Assert.IsType<QsTyped>(StringArguments.Bind(typeof(QsTyped), values.ToDictionary(v => v.Name, v => v.Value)));

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-7", -7)]
    [InlineData("0", 0)]
    public void A_string_becomes_an_int(string value, int expected) =>
        Assert.Equal(expected, Bind(("count", value)).Count);

    [Fact]
    public void A_string_becomes_a_long_beyond_the_int_range() =>
        Assert.Equal(9_000_000_000L, Bind(("big", "9000000000")).Big);

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public void A_string_becomes_a_bool(string value, bool expected) =>
        Assert.Equal(expected, Bind(("flag", value)).Flag);

    [Theory]
    [InlineData("12.50", "12.50")]
    [InlineData("-0.001", "-0.001")]
    [InlineData("3", "3")]
    public void A_string_becomes_a_decimal_read_with_the_invariant_culture(string value, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Bind(("amount", value)).Amount);

    [Fact]
    public void A_string_becomes_a_double() =>
        Assert.Equal(0.25, Bind(("ratio", "0.25")).Ratio);

    [Fact]
    public void A_string_becomes_an_enum_by_name() =>
        Assert.Equal(QsColor.Blue, Bind(("color", "Blue")).Color);

    [Fact]
    public void A_string_becomes_a_nullable_int() =>
        Assert.Equal(5, Bind(("maybe", "5")).Maybe);

    [Theory]
    [InlineData("123")]
    [InlineData("true")]
    [InlineData("hello world")]
    [InlineData("")]
    public void A_string_property_keeps_the_string_even_when_it_looks_like_a_number_or_a_bool(string value) =>
        Assert.Equal(value, Bind(("text", value)).Text);

    [Fact]
    public void Names_are_matched_whatever_their_case()
    {
        var bound = Bind(("Count", "3"), ("FLAG", "true"));

        Assert.Equal(3, bound.Count);
        Assert.True(bound.Flag);
    }

    [Fact]
    public void Arguments_that_are_not_given_keep_their_defaults()
    {
        var bound = Assert.IsType<QsTyped>(StringArguments.Bind(typeof(QsTyped), null));

        Assert.Equal(new QsTyped(), bound);
    }

    [Theory]
    [InlineData("count", "abc")]
    [InlineData("count", "1.5")]
    [InlineData("big", "12x")]
    [InlineData("amount", "1,5")]
    [InlineData("maybe", "none")]
    [InlineData("flag", "yes")]
    [InlineData("color", "Purple")]
    public void An_unparsable_value_is_a_validation_error_naming_the_field(string name, string value)
    {
        var error = Assert.Throws<RequestValidationException>(() => Bind((name, value)));

        Assert.Equal(nameof(QsTyped), error.RequestName);
        Assert.Contains(error.Errors, e => e.Field == name);
    }

    [Fact]
    public void An_int_out_of_range_is_a_validation_error_naming_the_field()
    {
        var error = Assert.Throws<RequestValidationException>(() => Bind(("count", "9000000000")));

        Assert.Contains(error.Errors, e => e.Field == "count");
    }

    [Fact]
    public void An_unknown_argument_is_a_validation_error_naming_it()
    {
        var error = Assert.Throws<RequestValidationException>(() => Bind(("count", "1"), ("colour", "Red")));

        var field = Assert.Single(error.Errors);
        Assert.Equal("colour", field.Field);
        Assert.Equal("unknown_field", field.Code);
        Assert.Contains("'colour'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_argument_is_a_validation_error_naming_it()
    {
        var error = Assert.Throws<RequestValidationException>(() => StringArguments.Bind(typeof(QsGetDocument), new Dictionary<string, string>()));

        Assert.Contains(error.Errors, e => e.Field == "id");
    }
}
