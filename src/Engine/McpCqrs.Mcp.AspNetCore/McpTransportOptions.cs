using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>The Streamable HTTP transport. Bound from the <c>Mcp</c> section (the protocol's own settings are <see cref="McpCqrs.Mcp.McpProtocolOptions"/>).</summary>
public sealed class McpTransportOptions
{
    public const string SectionName = "Mcp";

    /// <summary>
    /// Origins allowed to call <c>/mcp</c>: exact (<c>https://app.example.com</c>), wildcard subdomain
    /// (<c>https://*.example.com</c>) or <c>*</c>. Empty: only loopback origins. Requests without an Origin are
    /// always allowed (they do not come from a browser page).
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The largest JSON-RPC message accepted; larger ones get 413.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How often an open SSE stream (a session's GET stream, a resumed stream, a listen stream) gets a keep-alive comment, 100 ms to a day.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The reconnection delay suggested to clients (the SSE <c>retry</c> field), zero to a day.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This MCP server's canonical URL (e.g. <c>https://api.example.com/mcp</c>): the <c>resource</c> of its protected
    /// resource metadata and the audience a token must carry (RFC 8707). Unset: derived from the request, and the
    /// audience is not checked. Set it in production, the same on every instance.
    /// </summary>
    public Uri? ResourceUrl { get; set; }
}
