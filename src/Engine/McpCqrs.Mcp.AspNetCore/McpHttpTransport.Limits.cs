using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>The bounds of <c>Mcp:Limits</c> on sessions and their streams.</summary>
internal sealed partial class McpHttpTransport
{
    private static McpLimitsOptions LimitsOf(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<McpLimitsOptions>>().Value;

    /// <summary>
    /// A <c>Last-Event-ID</c> of a response stream must name one this session had: an invented one would open a
    /// stream that never ends. The GET stream always exists.
    /// </summary>
    private async Task<bool> IsStreamOfAsync(string sessionId, string stream, CancellationToken cancellationToken) =>
        stream == SseEvent.GetStream || await replay.HasStreamAsync(sessionId, stream, cancellationToken);

    /// <summary>
    /// An open stream keeps its session alive: marks the session used, at most once per keep-alive interval. False
    /// when the session is gone (expired or ended), and the stream should end. A store that cannot be reached
    /// answers true: the stream goes on and the next touch tries again.
    /// </summary>
    private async ValueTask<bool> TouchSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await sessions.GetAsync(sessionId, cancellationToken) is not null;
        }
        catch (SessionStoreUnavailableException ex)
        {
            LogStoreUnavailable(logger, ex.InnerException ?? ex);
            return true;
        }
    }

    /// <summary>A GET over <see cref="McpLimitsOptions.MaxStreamsPerSession"/>: 409 with the limit's JSON-RPC error.</summary>
    private static Task RefuseStreamAsync(HttpContext http, int max) => WriteJsonAsync(
        http,
        StatusCodes.Status409Conflict,
        McpErrors.LimitError(null, McpLimitExceededException.Of(
            nameof(McpLimitsOptions.MaxStreamsPerSession),
            max,
            $"This session has {max} streams open on this server already: close one before opening another.")),
        http.RequestAborted);

    private static McpRefusal UnknownStream() =>
        new(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, "Last-Event-ID names a stream this session does not have (or whose events expired); open the GET stream without it.");
}
