using McpCqrs.Mcp.AspNetCore;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class OriginPolicyTests
{
    private static OriginPolicy Policy(params string[] allowed) =>
        new(Options.Create(new McpTransportOptions { AllowedOrigins = [.. allowed] }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://localhost:1234")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://[::1]:8080")]
    [InlineData("https://localhost")]
    public void By_default_no_origin_and_loopback_origins_are_allowed(string? origin) =>
        Assert.True(Policy().IsAllowed(origin));

    [Theory]
    [InlineData("http://evil.example.com")]
    [InlineData("null")]
    [InlineData("http://localhost.evil.example.com")]
    [InlineData("file:///etc/passwd")]
    public void By_default_other_origins_are_refused(string origin) =>
        Assert.False(Policy().IsAllowed(origin));

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://APP.example.com", true)]
    [InlineData("https://app.example.com:443", true)]
    [InlineData("http://app.example.com", false)]
    [InlineData("https://app.example.com:8443", false)]
    [InlineData("https://other.example.com", false)]
    [InlineData("http://localhost:1234", false)]
    public void An_exact_entry_allows_that_origin_only(string origin, bool allowed) =>
        Assert.Equal(allowed, Policy("https://app.example.com/").IsAllowed(origin));

    [Theory]
    [InlineData("https://a.example.com")]
    [InlineData("https://a.b.example.com")]
    public void A_wildcard_entry_allows_subdomains(string origin) =>
        Assert.True(Policy("https://*.example.com").IsAllowed(origin));

    [Fact]
    public void A_wildcard_entry_with_a_port_matches_that_port_only()
    {
        var policy = Policy("https://*.example.com:8443");

        Assert.True(policy.IsAllowed("https://a.example.com:8443"));
        Assert.False(policy.IsAllowed("https://a.example.com"));
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("http://a.example.com")]
    [InlineData("https://a.example.com.evil.com")]
    [InlineData("https://badexample.com")]
    public void A_wildcard_entry_refuses_the_bare_domain_another_scheme_and_look_alikes(string origin) =>
        Assert.False(Policy("https://*.example.com").IsAllowed(origin));

    [Theory]
    [InlineData("https://anything.example.org")]
    [InlineData("http://evil.example.com")]
    [InlineData(null)]
    public void A_star_allows_any_origin(string? origin) =>
        Assert.True(Policy("*").IsAllowed(origin));

    [Theory]
    [InlineData("not an origin")]
    [InlineData("example.com")]
    public void A_malformed_entry_fails_at_construction(string entry)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Policy(entry));

        Assert.Contains(entry, error.Message, StringComparison.Ordinal);
    }
}
