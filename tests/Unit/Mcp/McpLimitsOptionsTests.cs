using System.ComponentModel.DataAnnotations;
using McpCqrs.Mcp;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>The checks <c>Mcp:Limits</c> gets at start (data annotations, validated on start by the host).</summary>
public sealed class McpLimitsOptionsTests
{
    private static IReadOnlyList<ValidationResult> Errors(McpLimitsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Errors(new McpLimitsOptions()));

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    [InlineData("50.00:00:00")]
    public void A_stream_duration_that_is_not_positive_or_beyond_a_timer_is_refused_by_name(string value)
    {
        var error = Assert.Single(Errors(new McpLimitsOptions { MaxStreamDuration = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }));

        Assert.Contains(nameof(McpLimitsOptions.MaxStreamDuration), error.MemberNames);
    }
}
