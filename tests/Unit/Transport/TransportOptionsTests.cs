using System.ComponentModel.DataAnnotations;
using McpCqrs.Mcp.AspNetCore;

namespace McpCqrs.Tests.Unit.Transport;

/// <summary>The transport's intervals are checked at start-up: a value a client would ignore, or a keep-alive storm, stops the host.</summary>
public sealed class TransportOptionsTests
{
    private static List<string> Errors(McpTransportOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.SelectMany(r => r.MemberNames)];
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("1.00:00:01")]
    public void A_retry_interval_below_zero_or_beyond_a_day_is_refused(string interval) =>
        Assert.Equal([nameof(McpTransportOptions.RetryInterval)], Errors(new McpTransportOptions { RetryInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) }));

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:01")]
    [InlineData("1.00:00:00")]
    public void A_retry_interval_from_zero_to_a_day_is_accepted(string interval) =>
        Assert.Empty(Errors(new McpTransportOptions { RetryInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) }));

    [Fact]
    public void A_keep_alive_interval_under_100_ms_is_refused() =>
        Assert.Equal([nameof(McpTransportOptions.KeepAliveInterval)], Errors(new McpTransportOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(50) }));
}
