using System.Net;
using System.Net.Sockets;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// The key every address-keyed limit counts a caller under: an IPv4 address as is, an IPv4-mapped IPv6 address
/// (<c>::ffff:192.0.2.1</c>) as its IPv4 address, any other IPv6 address as its /64 network
/// (<c>2001:db8:1:2::/64</c>) — what one subscriber usually gets, so a client rotating through its /64 does not
/// escape the limit. Written here because neither the runtime nor ASP.NET Core's rate limiter groups addresses.
/// </summary>
public static class ClientAddress
{
    /// <summary>The key of <paramref name="address"/>; <c>null</c> when the address is unknown.</summary>
    public static string? KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// The key of an address written as text (what <c>ICurrentUser.ClientAddress</c> holds); text that is not an
    /// IP address (already a key, or a host's own naming) is kept as it is.
    /// </summary>
    public static string KeyOf(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IPAddress.TryParse(address.Trim(), out var parsed) ? KeyOf(parsed)! : address.Trim();
    }
}
