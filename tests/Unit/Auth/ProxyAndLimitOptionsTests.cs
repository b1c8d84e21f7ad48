using System.Net;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.AspNetCore.Auth;
using McpCqrs.Mcp.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Unit.Auth;

/// <summary>The <c>ForwardedHeaders</c> and <c>Auth:Limits</c> sections: what they configure and the start-up errors.</summary>
public sealed class ProxyAndLimitOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<RateLimitingOptions>().Configure(o => o.TrustForwardedHeaders = configuration.GetValue<bool>("RateLimiting:TrustForwardedHeaders"));
        services.AddKnownProxies(configuration);
        services.AddAttemptLimits(new AuthOptions());
        return services.BuildServiceProvider();
    }

    private static string ProxyErrors(Dictionary<string, string?> settings)
    {
        using var services = Services(settings);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProxyOptions>>().Value);
        return error.Message;
    }

    [Fact]
    public void Only_the_configured_proxies_and_networks_are_trusted_not_the_loopback_default()
    {
        using var services = Services(new()
        {
            ["ForwardedHeaders:KnownProxies:0"] = "10.1.2.3",
            ["ForwardedHeaders:KnownProxies:1"] = " fd00::5 ",
            ["ForwardedHeaders:KnownNetworks:0"] = "172.16.0.0/12",
            ["ForwardedHeaders:ForwardLimit"] = "2",
        });

        var forwarded = services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal([IPAddress.Parse("10.1.2.3"), IPAddress.Parse("fd00::5")], forwarded.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("172.16.0.0/12")], forwarded.KnownIPNetworks);
        Assert.Equal(2, forwarded.ForwardLimit);
        Assert.True(services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any);
    }

    [Fact]
    public void Without_proxies_nothing_is_trusted()
    {
        using var services = Services([]);

        Assert.False(services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.0.0.300", "ForwardedHeaders:KnownProxies:0 '10.0.0.300' is not an IP address")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.0.0.0/8", "a range goes in ForwardedHeaders:KnownNetworks")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0", "ForwardedHeaders:KnownNetworks:0 '10.0.0.0' is not a network in CIDR notation")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.1/8", "ForwardedHeaders:KnownNetworks:0 '10.0.0.1/8' is not a network in CIDR notation")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "fd00::/129", "ForwardedHeaders:KnownNetworks:0 'fd00::/129'")]
    [InlineData("ForwardedHeaders:ForwardLimit", "0", "ForwardedHeaders:ForwardLimit must be between 1 and 20 (was 0)")]
    public void An_invalid_proxy_entry_stops_the_start_and_names_its_key(string key, string value, string message)
    {
        Assert.Contains(message, ProxyErrors(new() { [key] = value }), StringComparison.Ordinal);
    }

    [Fact]
    public void TrustForwardedHeaders_without_known_proxies_is_refused_with_the_keys_to_use()
    {
        var message = ProxyErrors(new() { ["RateLimiting:TrustForwardedHeaders"] = "true" });

        Assert.Contains("RateLimiting:TrustForwardedHeaders", message, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownProxies", message, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownNetworks", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrustForwardedHeaders_with_known_proxies_is_accepted()
    {
        using var services = Services(new() { ["RateLimiting:TrustForwardedHeaders"] = "true", ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8" });

        Assert.True(services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any);
    }

    [Fact]
    public void Token_limits_are_bound_from_Auth_Limits()
    {
        using var services = Services(new()
        {
            ["Auth:Limits:TokenRequestsPerMinutePerClient"] = "7",
            ["Auth:Limits:TokenRequestsPerMinutePerAddress"] = "9",
            ["Auth:Limits:FailedClientAuthenticationsPerMinutePerClient"] = "3",
        });

        var limits = services.GetRequiredService<IOptions<AuthLimitsOptions>>().Value;

        Assert.Equal((7, 9, 3), (limits.TokenRequestsPerMinutePerClient, limits.TokenRequestsPerMinutePerAddress, limits.FailedClientAuthenticationsPerMinutePerClient));
    }

    [Theory]
    [InlineData("TokenRequestsPerMinutePerClient", "0")]
    [InlineData("TokenRequestsPerMinutePerAddress", "-1")]
    [InlineData("FailedClientAuthenticationsPerMinutePerClient", "2000000")]
    public void A_token_limit_out_of_range_stops_the_start_and_names_its_key(string name, string value)
    {
        using var services = Services(new() { ["Auth:Limits:" + name] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthLimitsOptions>>().Value);

        Assert.Contains($"Auth:Limits:{name} must be between 1 and 1000000 (was {value})", error.Message, StringComparison.Ordinal);
    }
}
