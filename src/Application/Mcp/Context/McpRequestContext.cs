using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Context;

/// <summary>
/// What a method handler knows about the MCP request it serves: the protocol version in force, the client and
/// its capabilities, the session <em>where one exists</em> (the stateless revision has none), and a way back to
/// the client. Handlers never see the session object or the HTTP exchange.
/// </summary>
public interface IMcpRequestContext
{
    string Method { get; }

    RequestId? RequestId { get; }

    string ProtocolVersion { get; }

    Implementation? ClientInfo { get; }

    ClientCapabilities? ClientCapabilities { get; }

    /// <summary>The session id, or null for a request that belongs to none.</summary>
    string? SessionId { get; }

    /// <summary>The token the client asked progress to be reported under, if any.</summary>
    ProgressToken? ProgressToken { get; }

    /// <summary>The least severe log level the client wants to receive (null: the server's default).</summary>
    LoggingLevel? LogLevel { get; }

    /// <summary>Messages to the client while the request runs (notifications before the result); null outside MCP.</summary>
    IMcpOutbound? Outbound { get; }

    /// <summary>
    /// True for a request of the stateless revision (2026-07-28): no session, no server-to-client requests (input is
    /// asked for with an <c>input_required</c> result), log messages only when the request asked for them.
    /// </summary>
    bool IsStateless { get; }

    /// <summary>Stateless era: the client's answers to the input this request asked for in an earlier round, by key.</summary>
    IReadOnlyDictionary<string, JsonNode?>? InputResponses { get; }

    /// <summary>Stateless era: the state the handler kept in the previous round (verified by the server), or null.</summary>
    string? RequestState { get; }
}

/// <summary>Carries messages to the client on the current request's response (the transport switches it to SSE).</summary>
public interface IMcpOutbound
{
    /// <summary>Sends a notification to the client before the request's result.</summary>
    ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken);

    /// <summary>Sends a request to the client (sampling, elicitation) and waits for its answer.</summary>
    ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the HTTP response now (2025-11-25 polling): the request goes on, and what it sends later — its result
    /// included — is kept for the client, which resumes with a GET and <c>Last-Event-ID</c>.
    /// </summary>
    ValueTask CloseStreamAsync(CancellationToken cancellationToken);
}

/// <summary>The scoped, transport-filled <see cref="IMcpRequestContext"/>.</summary>
public sealed class McpRequestContext : IMcpRequestContext
{
    public string Method { get; set; } = string.Empty;

    public RequestId? RequestId { get; set; }

    public string ProtocolVersion { get; set; } = McpProtocol.LatestVersion;

    public Implementation? ClientInfo { get; set; }

    public ClientCapabilities? ClientCapabilities { get; set; }

    public string? SessionId { get; set; }

    public ProgressToken? ProgressToken { get; set; }

    public LoggingLevel? LogLevel { get; set; }

    public IMcpOutbound? Outbound { get; set; }

    public bool IsStateless { get; set; }

    public IReadOnlyDictionary<string, JsonNode?>? InputResponses { get; set; }

    public string? RequestState { get; set; }
}
