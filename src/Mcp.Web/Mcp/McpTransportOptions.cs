using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Web.Mcp;

/// <summary>The Streamable HTTP transport. Bound from the <c>Mcp</c> section.</summary>
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

    /// <summary>How often an idle SSE stream gets a keep-alive comment.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The reconnection delay suggested to clients (the SSE <c>retry</c> field).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This MCP server's canonical URL (e.g. <c>https://desk.example.com/mcp</c>): the <c>resource</c> of its protected
    /// resource metadata and the audience a token must carry (RFC 8707). Unset: derived from the request, and the
    /// audience is not checked. Set it in production, the same on every instance.
    /// </summary>
    public Uri? ResourceUrl { get; set; }

    /// <summary>Base64 key (≥ 32 bytes) sealing <c>requestState</c> in the stateless era; the same on every instance.</summary>
    public string? RequestStateKey { get; set; }

    /// <summary>How long an <c>input_required</c> state may be used to retry.</summary>
    public TimeSpan RequestStateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Cache hint (<c>ttlMs</c>) of <c>server/discover</c> and the lists in the stateless era.</summary>
    public TimeSpan ListCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a handler waits for the client's answer to a request this server sent it (<c>elicitation/create</c>,
    /// <c>sampling/createMessage</c>, <c>roots/list</c>); past it the handler gets a
    /// <see cref="McpCqrs.Application.Mcp.Context.ClientRequestTimeoutException"/> (JSON-RPC error −32004 unless it
    /// catches it). Keep it below the call's dispatch timeout (<c>Mcp:Limits:DispatchTimeout</c>, 2 min, or the tool's
    /// own), or the dispatch timeout ends the call first and the handler never hears which request went unanswered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Mcp:ClientRequestTimeout must be greater than zero and at most one day.")]
    public TimeSpan ClientRequestTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
