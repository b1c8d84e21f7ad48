namespace McpCqrs.Mcp.RateLimiting;

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
/// Addresses count by <see cref="ClientAddress.KeyOf(string)"/>: an IPv6 address by its /64 prefix (what one
/// subscriber usually gets, so rotating through it does not escape the limit), an IPv4-mapped one as IPv4.
/// </summary>
public sealed class RateLimitPartitioner(RateLimitPartitionBy partitionBy) : IRateLimitPartitioner
{
    public const string Anonymous = "anonymous";
    public const string Global = "global";

    private readonly KeyMemo _users = new(static userId => "user:" + userId);
    private readonly KeyMemo _addresses = new(static clientIp => "ip:" + ClientAddress.KeyOf(clientIp));

    public RateLimitPartitionBy PartitionBy { get; } = partitionBy;

    public string GetPartitionKey(string? userId, string? clientIp) => PartitionBy switch
    {
        RateLimitPartitionBy.Global => Global,
        RateLimitPartitionBy.ClientIp => ByClientIp(clientIp),
        _ => string.IsNullOrWhiteSpace(userId) ? ByClientIp(clientIp) : _users.Of(userId),
    };

    private string ByClientIp(string? clientIp) => string.IsNullOrWhiteSpace(clientIp) ? Anonymous : _addresses.Of(clientIp);
}
