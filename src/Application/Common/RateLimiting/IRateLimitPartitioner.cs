using System.Net;
using System.Net.Sockets;

namespace McpCqrs.Application.Common.RateLimiting;

/// <summary>
/// Decides whose calls share one count. The default follows <see cref="RateLimitingOptions.PartitionBy"/>;
/// register another implementation to partition by tenant, API key, and so on.
/// </summary>
public interface IRateLimitPartitioner
{
    /// <param name="userId">The authenticated principal's id (<c>ICurrentUser.Id</c>), null when anonymous.</param>
    /// <param name="clientIp">The client's IP address as the host resolved it, null when unknown.</param>
    string GetPartitionKey(string? userId, string? clientIp);
}

/// <summary>
/// Partition keys <c>user:{id}</c>, <c>ip:{address}</c>, <c>anonymous</c> (neither known) or <c>global</c>.
/// An IPv6 address counts by its /64 prefix (what one subscriber usually gets, so rotating through it does not
/// escape the limit); an IPv4-mapped IPv6 address counts as the IPv4 address.
/// </summary>
public sealed class RateLimitPartitioner(RateLimitPartitionBy partitionBy) : IRateLimitPartitioner
{
    public const string Anonymous = "anonymous";
    public const string Global = "global";

    public RateLimitPartitionBy PartitionBy { get; } = partitionBy;

    public string GetPartitionKey(string? userId, string? clientIp) => PartitionBy switch
    {
        RateLimitPartitionBy.Global => Global,
        RateLimitPartitionBy.ClientIp => ByClientIp(clientIp),
        _ => string.IsNullOrWhiteSpace(userId) ? ByClientIp(clientIp) : "user:" + userId,
    };

    private static string ByClientIp(string? clientIp) =>
        string.IsNullOrWhiteSpace(clientIp) ? Anonymous : "ip:" + NormalizeAddress(clientIp.Trim());

    /// <summary>The address as counted: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /64 network.</summary>
    public static string NormalizeAddress(string clientIp)
    {
        ArgumentNullException.ThrowIfNull(clientIp);
        if (!IPAddress.TryParse(clientIp, out var address))
        {
            return clientIp;
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
        return new IPAddress(bytes).ToString() + "/64";
    }
}
