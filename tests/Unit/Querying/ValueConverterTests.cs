using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class ValueConverterTests
{
    [Theory]
    [InlineData("2026-01-03", 0)]
    [InlineData("2026-01-03T12:30:00Z", 12)]
    [InlineData("2026-01-03T13:30:00+01:00", 12)]
    [InlineData("2026-01-03T12:30", 12)]
    [InlineData("2026-01-03T12:30:00.1234567Z", 12)]
    public void Dates_come_back_as_utc(string text, int hour)
    {
        Assert.True(ValueConverter.TryConvert(text, typeof(DateTime), out var value));

        var date = Assert.IsType<DateTime>(value);
        Assert.Equal(DateTimeKind.Utc, date.Kind);
        Assert.Equal(hour, date.Hour);
    }

    [Fact]
    public void Offsets_are_normalised_to_utc()
    {
        Assert.True(ValueConverter.TryConvert("2026-01-03T13:30:00+01:00", typeof(DateTimeOffset), out var value));

        Assert.Equal(new DateTimeOffset(2026, 1, 3, 12, 30, 0, TimeSpan.Zero), value);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)value!).Offset);
    }

    [Theory]
    [InlineData(typeof(int), "-42", -42)]
    [InlineData(typeof(long), "9000000000", 9_000_000_000L)]
    [InlineData(typeof(double), "1.5e2", 150d)]
    [InlineData(typeof(bool), "True", true)]
    [InlineData(typeof(ItemState), "resolved", ItemState.Resolved)]
    public void Values_convert_in_the_invariant_culture(Type type, string text, object expected)
    {
        Assert.True(ValueConverter.TryConvert(text, type, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(typeof(int), "1,000")]
    [InlineData(typeof(int), " 1")]
    [InlineData(typeof(decimal), "1,5")]
    [InlineData(typeof(double), "Infinity")]
    [InlineData(typeof(ItemState), "2")]
    [InlineData(typeof(ItemState), "Open,Closed")]
    [InlineData(typeof(DateTime), "3 January 2026")]
    [InlineData(typeof(DateOnly), "2026-02-30")]
    [InlineData(typeof(Guid), "{nope}")]
    public void Other_spellings_are_refused(Type type, string text) =>
        Assert.False(ValueConverter.TryConvert(text, type, out _));

    [Fact]
    public void Decimal_keeps_its_precision() =>
        Assert.Equal(0.1m, Convert(typeof(decimal), "0.1"));

    private static object? Convert(Type type, string text) =>
        ValueConverter.TryConvert(text, type, out var value) ? value : null;
}
