using McpCqrs.Mcp.Eras;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Resources;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.Streams;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using McpSession = McpCqrs.Mcp.Sessions.McpSession;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>What the response streams of a session need: replay buffer, live broker, pending client requests.</summary>
internal sealed record McpStreamServices(ISseReplayBuffer Replay, ISseBroker Broker, PendingClientRequests Pending, McpTransportOptions Options, McpProtocolOptions Protocol);

/// <summary>
/// The Streamable HTTP transport of both eras on one endpoint: POST (one JSON-RPC message), GET (a session's SSE
/// stream) and DELETE (end a session). It checks what HTTP must check — origin, media types, size, session lookup
/// through <see cref="ISessionStore"/> — has the request's era admit it (<c>SessionEraPolicy</c> or
/// <c>StatelessEraPolicy</c>, which read <see cref="McpMethodTable"/>), hands it to <see cref="McpDispatcher"/>,
/// and writes the reply as JSON or SSE. What a method means and how its result looks is the engine's.
/// </summary>
internal sealed partial class McpHttpTransport(
    OriginPolicy origins,
    IOptions<McpTransportOptions> options,
    IOptions<McpProtocolOptions> protocol,
    ISessionStore sessions,
    ISseReplayBuffer replay,
    ISseBroker broker,
    IResourceSubscriptions subscriptions,
    McpDispatcher dispatcher,
    SessionEraPolicy sessionEra,
    StatelessEraPolicy statelessEra,
    InFlightRequests inFlight,
    PendingClientRequests pending,
    OpenStreams openStreams,
    KeepAliveBeats beats,
    SessionSignals signals,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<McpHttpTransport> logger)
{
    public const string SessionHeader = "Mcp-Session-Id";
    public const string VersionHeader = StatelessEraPolicy.VersionHeader;

    private readonly McpStreamServices _streams = new(replay, broker, pending, options.Value, protocol.Value);

    public async Task PostAsync(HttpContext http)
    {
        JsonRpcEnvelope? envelope = null;
        try
        {
            CheckOrigin(http);
            CheckAccept(http, json: true);
            if (!IsJson(http.Request.ContentType))
            {
                throw new McpRefusal(McpStatus.UnsupportedMediaType, (int)McpErrorCode.InvalidRequest, "Content-Type must be application/json.");
            }

            envelope = JsonRpcWire.Classify(await ReadBodyAsync(http));
            if (StatelessEraPolicy.Claims(envelope, http.Request.Headers[VersionHeader].ToString()))
            {
                await StatelessAsync(http, envelope);
                return;
            }

            if (envelope is { Kind: JsonRpcKind.Request, Method: RequestMethods.Initialize })
            {
                await InitializeAsync(http, envelope);
                return;
            }

            var session = await RequireSessionAsync(http, envelope.Id);
            switch (envelope.Kind)
            {
                case JsonRpcKind.Notification:
                    await OnNotificationAsync(session, envelope, http.RequestAborted);
                    http.Response.StatusCode = StatusCodes.Status202Accepted;
                    break;
                case JsonRpcKind.Response:
                    // The answer outlives this request (a waiting handler, maybe on another instance, reads it): Raw is detached from the body.
                    await signals.AnswerAsync(session.Id, envelope.AnsweredId, envelope.Raw, http.RequestAborted);
                    http.Response.StatusCode = StatusCodes.Status202Accepted;
                    break;
                default:
                    await DispatchAsync(http, session, envelope);
                    break;
            }
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
        }
        catch (SessionStoreUnavailableException ex)
        {
            await UnavailableAsync(http, ex, envelope?.Id);
        }
    }

    /// <summary>
    /// A GET: the session's stream, or the resumption of a POST's response stream (<c>Last-Event-ID</c>). When the checks
    /// complete at once (a session held in this process), the stream is served by one state machine rather than two
    /// (an open stream keeps what its await chain holds for as long as it lives).
    /// </summary>
    public Task GetAsync(HttpContext http)
    {
        var opening = OpenStreamAsync(http);
        if (!opening.IsCompletedSuccessfully)
        {
            return StreamWhenOpenAsync(http, opening);
        }

        return opening.Result is { } start ? StreamAsync(http, start.SessionId, start.Stream, start.After) : Task.CompletedTask;
    }

    private async Task StreamWhenOpenAsync(HttpContext http, ValueTask<StreamStart?> opening)
    {
        if (await opening is { } start)
        {
            await StreamAsync(http, start.SessionId, start.Stream, start.After);
        }
    }

    /// <summary>The stream a GET asks for, after its checks (origin, media type, session, <c>Last-Event-ID</c>); null when it was refused (the refusal written).</summary>
    private async ValueTask<StreamStart?> OpenStreamAsync(HttpContext http)
    {
        McpSession session;
        try
        {
            CheckOrigin(http);
            CheckAccept(http, json: false);
            session = await RequireSessionAsync(http, null);
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
            return null;
        }
        catch (SessionStoreUnavailableException ex)
        {
            await UnavailableAsync(http, ex);
            return null;
        }

        var stream = SseEvent.GetStream;
        long? after = null;
        if (http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastEventId)
        {
            if (!SseEvent.TryParseId(lastEventId, out stream, out var sequence))
            {
                await RejectAsync(http, new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, "Last-Event-ID is not an event id of this server."));
                return null;
            }

            after = sequence;
            try
            {
                if (!await IsStreamOfAsync(session.Id, stream, http.RequestAborted))
                {
                    await RejectAsync(http, UnknownStream());
                    return null;
                }
            }
            catch (SessionStoreUnavailableException ex)
            {
                await UnavailableAsync(http, ex);
                return null;
            }
        }

        return new StreamStart(session.Id, stream, after);
    }

    /// <summary>What a GET streams: the session, its stream (the GET stream or a response stream) and where to resume.</summary>
    private readonly record struct StreamStart(string SessionId, string Stream, long? After);

    public async Task DeleteAsync(HttpContext http)
    {
        try
        {
            CheckOrigin(http);
            var session = await RequireSessionAsync(http, null);
            if (!await sessions.DeleteAsync(session.Id, http.RequestAborted))
            {
                throw new McpRefusal(McpStatus.NotFound, McpErrors.SessionNotFound, "Session not found.");
            }

            await signals.EndSessionAsync(session.Id, CancellationToken.None);
            await replay.RemoveSessionAsync(session.Id, CancellationToken.None);
            await subscriptions.RemoveSessionAsync(session.Id, CancellationToken.None);
            LogSessionEnded(logger, session.Id);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
        }
        catch (SessionStoreUnavailableException ex)
        {
            await UnavailableAsync(http, ex);
        }
    }

    private async Task InitializeAsync(HttpContext http, JsonRpcEnvelope envelope)
    {
        var reply = await dispatcher.DispatchAsync(sessionEra.Admit(envelope, null), null, http.RequestServices, lifetime.ApplicationStopping);
        await WriteJsonAsync(http, StatusOf(http, reply), reply);
    }

    private async Task DispatchAsync(HttpContext http, McpSession session, JsonRpcEnvelope envelope)
    {
        var call = sessionEra.Admit(envelope, session);
        var stream = new ResponseStream(http, session.Id, _streams);
        McpReply reply;
        using (var running = inFlight.Register(session.Id, call.Id))
        {
            reply = await dispatcher.DispatchAsync(call, stream, http.RequestServices, running.Token, running.Source);
        }

        await stream.CompleteAsync(StatusOf(http, reply), reply, CancellationToken.None);
    }

    /// <summary>The HTTP status of a reply, with the headers it asks for (a challenge, <c>Retry-After</c>, the new session's id).</summary>
    private static int StatusOf(HttpContext http, McpReply reply)
    {
        if (reply.Forbidden is { } forbidden)
        {
            http.RequestServices.GetRequiredService<Auth.ProtectedResource>().ChallengeForbidden(http, forbidden);
        }

        if (!http.Response.HasStarted)
        {
            if (reply.RetryAfter is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (reply.SessionId is { } sessionId)
            {
                http.Response.Headers[SessionHeader] = sessionId;
            }
        }

        return McpHttpStatus.Of(reply.Status);
    }

    private async Task OnNotificationAsync(McpSession session, JsonRpcEnvelope envelope, CancellationToken cancellationToken)
    {
        switch (envelope.Method)
        {
            case NotificationMethods.InitializedNotification when !session.Initialized:
                await sessions.UpdateAsync(session with { Initialized = true }, CancellationToken.None);
                break;
            case NotificationMethods.CancelledNotification:
                if (envelope.CancelledRequestId is { } requestId)
                {
                    await signals.CancelAsync(session.Id, requestId, cancellationToken);
                }

                break;
        }
    }

    /// <summary>
    /// The session the request belongs to, checked in this order: header present (400), version header
    /// supported (400), session live and opened by this caller (404 — another principal's id looks unknown).
    /// </summary>
    private async ValueTask<McpSession> RequireSessionAsync(HttpContext http, RequestId? id)
    {
        var sessionId = http.Request.Headers[SessionHeader].ToString();
        if (string.IsNullOrEmpty(sessionId) && !HttpMethods.IsPost(http.Request.Method)
            && http.Request.Headers[VersionHeader].ToString().Trim() is { Length: > 0 } statelessVersion && !McpProtocol.IsSessionEra(statelessVersion))
        {
            // A stateless-era client has no session to stream or end.
            throw new McpRefusal(McpStatus.MethodNotAllowed, (int)McpErrorCode.MethodNotFound, $"{http.Request.Method} is not used by protocol version {statelessVersion}.", id);
        }

        if (string.IsNullOrEmpty(sessionId))
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, $"Bad Request: the {SessionHeader} header is required (send initialize first).", id);
        }

        var version = http.Request.Headers[VersionHeader].ToString();
        if (version.Length > 0 && !McpProtocol.IsSupported(version))
        {
            throw new McpRefusal(McpStatus.BadRequest,
                (int)McpErrorCode.InvalidRequest,
                $"Bad Request: unsupported {VersionHeader} '{version}'; supported: {string.Join(", ", McpProtocol.SupportedVersions)}.",
                id);
        }

        var session = await sessions.GetAsync(sessionId, http.RequestAborted);
        if (session is null || session.PrincipalId != http.RequestServices.GetRequiredService<ICurrentUser>().Id)
        {
            throw new McpRefusal(McpStatus.NotFound, McpErrors.SessionNotFound, "Session not found: it expired or was ended; initialize a new one.", id);
        }

        return session;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The MCP session store is unavailable; answering 503")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP session {SessionId} ended by the client")]
    private static partial void LogSessionEnded(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} resumed stream {Stream} after event {Sequence}, but later events were already evicted from the replay buffer")]
    private static partial void LogReplayGap(ILogger logger, string sessionId, string stream, long sequence);
}
