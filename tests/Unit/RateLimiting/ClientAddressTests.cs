using System.Net;
using McpCqrs.Mcp.RateLimiting;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>The key every address-keyed limit counts a caller under.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("fe80::1", "fe80::/64")]
    public void An_address_is_keyed_as_IPv4_or_by_its_IPv6_64_prefix(string address, string key)
    {
        Assert.Equal(key, ClientAddress.KeyOf(IPAddress.Parse(address)));
        Assert.Equal(key, ClientAddress.KeyOf(address));
    }

    [Fact]
    public void Addresses_of_one_64_share_a_key_and_the_neighbouring_64_does_not()
    {
        var first = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:aa:bb:1::1"));
        var same = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:aa:bb:ffff:ffff:ffff:ffff"));
        var next = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:aa:bc::1"));

        Assert.Equal(first, same);
        Assert.NotEqual(first, next);
    }

    [Fact]
    public void IPv4_addresses_are_not_grouped()
    {
        Assert.NotEqual(ClientAddress.KeyOf(IPAddress.Parse("192.0.2.1")), ClientAddress.KeyOf(IPAddress.Parse("192.0.2.2")));
    }

    [Fact]
    public void A_key_keys_to_itself_and_text_that_is_no_address_is_kept()
    {
        Assert.Equal("2001:db8:1:2::/64", ClientAddress.KeyOf(ClientAddress.KeyOf(IPAddress.Parse("2001:db8:1:2::5"))!));
        Assert.Equal("unix-socket", ClientAddress.KeyOf("unix-socket"));
        Assert.Null(ClientAddress.KeyOf((IPAddress?)null));
    }
}
