using McpCqrs.Application.Mcp.Dispatch;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Common.RateLimiting;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Mcp.Streams;
using McpCqrs.Application.Mcp.Tasks;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using McpSession = McpCqrs.Application.Mcp.Sessions.McpSession;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// The rate of new sessions (<c>Mcp:Limits:SessionsPerMinutePerPrincipal</c>) as a policy of the application's rate
/// limits, so it is kept where the other limits are (in memory, or in Redis shared by every instance).
/// </summary>
internal static class SessionRate
{
    /// <summary>The binding <c>initialize</c> is limited under.</summary>
    public const string Binding = "mcp:initialize";

    /// <summary>The policy of that binding: a sliding minute in six segments.</summary>
    public const string Policy = "mcp-initialize";

    public static void Register(RateLimitingOptions rateLimits, McpLimitsOptions limits)
    {
        rateLimits.AddPolicy(RateLimitPolicy.SlidingWindow(Policy, limits.SessionsPerMinutePerPrincipal, TimeSpan.FromMinutes(1), 6));
        rateLimits.ForBinding(Binding, Policy);
    }
}

/// <summary>The bounds of <c>Mcp:Limits</c> on sessions and their streams.</summary>
internal sealed partial class McpHttpTransport
{
    /// <summary>
    /// Whose sessions share one count: the principal, else the client address — as tasks are owned, and whatever
    /// <c>RateLimiting:PartitionBy</c> says (a global partition would make the per-principal bound server-wide).
    /// </summary>
    private static string OwnerOf(HttpContext http) => TaskRules.OwnerOf(http.RequestServices.GetRequiredService<ICurrentUser>());

    private static McpLimitsOptions LimitsOf(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<McpLimitsOptions>>().Value;

    /// <summary>
    /// Takes one permit of the new-session rate of <paramref name="owner"/>; a refusal is the limit reached with the
    /// seconds until a retry can succeed.
    /// </summary>
    /// <exception cref="RateLimitUnavailableException">The rate limits cannot be checked (Redis down).</exception>
    private static async ValueTask<(McpLimitExceededException Limit, int RetryAfter)?> SessionRateRefusalAsync(HttpContext http, string owner)
    {
        var decision = await http.RequestServices.GetRequiredService<IRateLimitService>().TryAcquireAsync(SessionRate.Binding, owner, http.RequestAborted);
        if (decision.Allowed)
        {
            return null;
        }

        var max = LimitsOf(http).SessionsPerMinutePerPrincipal;
        var retryAfter = decision.RetryAfterSeconds ?? 1;
        return (McpLimitExceededException.Of(
            nameof(McpLimitsOptions.SessionsPerMinutePerPrincipal),
            max,
            $"Too many new sessions: at most {max} per minute for one caller; retry after {retryAfter} s.",
            isRate: true), retryAfter);
    }

    /// <summary>Stores the new session, unless its owner holds <see cref="McpLimitsOptions.MaxSessionsPerPrincipal"/> already.</summary>
    private async Task CreateSessionAsync(HttpContext http, McpSession session, string owner)
    {
        var max = LimitsOf(http).MaxSessionsPerPrincipal;
        if (!await sessions.TryCreateAsync(session, owner, max, http.RequestAborted))
        {
            throw McpLimitExceededException.Of(
                nameof(McpLimitsOptions.MaxSessionsPerPrincipal),
                max,
                $"This caller holds {max} open sessions already: end one (DELETE) or let one expire before opening another.");
        }
    }

    /// <summary>The answer to an <c>initialize</c> over a limit: HTTP 429 with <c>Retry-After</c> for the rate, else 200.</summary>
    private static Task RefuseInitializeAsync(HttpContext http, RequestId id, McpLimitExceededException limit, int? retryAfter)
    {
        if (retryAfter is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(http, limit.IsRate ? StatusCodes.Status429TooManyRequests : StatusCodes.Status200OK, LimitError(id, limit, retryAfter));
    }

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
        LimitError(null, McpLimitExceededException.Of(
            nameof(McpLimitsOptions.MaxStreamsPerSession),
            max,
            $"This session has {max} streams open on this server already: close one before opening another.")),
        http.RequestAborted);

    private static McpRefusal UnknownStream() =>
        new(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, "Last-Event-ID names a stream this session does not have (or whose events expired); open the GET stream without it.");
}
