using McpCqrs.Application.Mcp.Eras;
using McpCqrs.Application.Mcp.Dispatch;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Resources;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Mcp.Streams;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using McpSession = McpCqrs.Application.Mcp.Sessions.McpSession;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>What the response streams of a session need: replay buffer, live broker, pending client requests.</summary>
internal sealed record McpStreamServices(ISseReplayBuffer Replay, ISseBroker Broker, PendingClientRequests Pending, McpTransportOptions Options, McpProtocolOptions Protocol);

/// <summary>
/// The Streamable HTTP transport of MCP 2025-11-25 on one endpoint: POST (one JSON-RPC message), GET (the
/// session's SSE stream) and DELETE (end the session). It checks what HTTP must check — origin, media types,
/// size, framing, session, protocol version — and hands each method to the mediator through
/// <see cref="McpMethodTable"/>. It knows nothing of tools or their meaning.
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
                    await signals.AnswerAsync(session.Id, envelope.Raw["id"].StringOrNumber() ?? string.Empty, envelope.Raw, http.RequestAborted);
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

    public async Task GetAsync(HttpContext http)
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
            return;
        }
        catch (SessionStoreUnavailableException ex)
        {
            await UnavailableAsync(http, ex);
            return;
        }

        var stream = SseEvent.GetStream;
        long? after = null;
        if (http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastEventId)
        {
            if (!SseEvent.TryParseId(lastEventId, out stream, out var sequence))
            {
                await RejectAsync(http, new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.InvalidRequest, "Last-Event-ID is not an event id of this server."));
                return;
            }

            after = sequence;
            try
            {
                if (!await IsStreamOfAsync(session.Id, stream, http.RequestAborted))
                {
                    await RejectAsync(http, UnknownStream());
                    return;
                }
            }
            catch (SessionStoreUnavailableException ex)
            {
                await UnavailableAsync(http, ex);
                return;
            }
        }

        await StreamAsync(http, session.Id, stream, after);
    }

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
        await WriteJsonAsync(http, StatusOf(http, reply), reply.Payload!);
    }

    private async Task DispatchAsync(HttpContext http, McpSession session, JsonRpcEnvelope envelope)
    {
        var call = sessionEra.Admit(envelope, session);
        var stream = new ResponseStream(http, session.Id, _streams);
        McpReply reply;
        using (var running = inFlight.Register(session.Id, call.Id))
        {
            reply = await dispatcher.DispatchAsync(call, stream, http.RequestServices, running.Token);
        }

        await stream.CompleteAsync(StatusOf(http, reply), reply.Payload!, CancellationToken.None);
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
                if ((envelope.Params as JsonObject)?["requestId"].StringOrNumber() is { } requestId)
                {
                    await signals.CancelAsync(session.Id, requestId, cancellationToken);
                }

                break;
        }
    }

    /// <summary>
    /// Serves one SSE stream: the session's GET stream, or the resumption of a POST's response stream. Events
    /// missed since <paramref name="after"/> are replayed first, then live ones follow, each exactly once.
    /// </summary>
    private async Task StreamAsync(HttpContext http, string sessionId, string stream, long? after)
    {
        var channel = Channel.CreateUnbounded<SseEvent?>(new UnboundedChannelOptions { SingleReader = true });
        await using var subscription = await broker.SubscribeAsync(sessionId, stream, e => { channel.Writer.TryWrite(e); return ValueTask.CompletedTask; }, http.RequestAborted);
        var isGetStream = stream == SseEvent.GetStream;
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var maxStreams = LimitsOf(http).MaxStreamsPerSession;
        var connection = isGetStream
            ? openStreams.Open(sessionId, alive.Token, maxStreams)
            : openStreams.TryOpenResumed(sessionId, maxStreams) ? CancellationTokenSource.CreateLinkedTokenSource(alive.Token) : null;
        if (connection is null)
        {
            await RefuseStreamAsync(http, maxStreams);
            return;
        }

        connection.CancelAfter(LimitsOf(http).MaxStreamDuration);
        var touched = clock.GetTimestamp();

        try
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            SseFormat.StartResponse(http.Response);
            await http.Response.WriteAsync(SseFormat.Retry(options.Value.RetryInterval), connection.Token);
            await http.Response.Body.FlushAsync(connection.Token);

            // A fresh GET stream first gets what was notified while no stream was open.
            after ??= isGetStream ? openStreams.Delivered(sessionId) : null;
            var last = after ?? 0;
            if (after is { } from)
            {
                var missed = await replay.ReadAfterAsync(sessionId, stream, from, connection.Token);
                if (missed is null)
                {
                    LogReplayGap(logger, sessionId, stream, from);
                }

                foreach (var sseEvent in missed ?? [])
                {
                    await http.Response.WriteAsync(SseFormat.Event(sseEvent), connection.Token);
                    last = sseEvent.Sequence;
                    if (isGetStream)
                    {
                        openStreams.Written(sessionId, last);
                    }
                }

                await http.Response.Body.FlushAsync(connection.Token);
                if (!isGetStream && await replay.IsCompleteAsync(sessionId, stream, connection.Token))
                {
                    return;
                }
            }

            while (!connection.IsCancellationRequested)
            {
                var woken = await WaitOrKeepAliveAsync(http, channel.Reader, connection.Token);
                if (clock.GetElapsedTime(touched) >= options.Value.KeepAliveInterval)
                {
                    touched = clock.GetTimestamp();
                    if (!await TouchSessionAsync(sessionId, connection.Token))
                    {
                        // The session expired or was ended elsewhere: nothing more will come on its streams.
                        if (isGetStream)
                        {
                            openStreams.Close(sessionId);
                        }

                        return;
                    }
                }

                if (!woken)
                {
                    continue;
                }

                while (channel.Reader.TryRead(out var sseEvent))
                {
                    if (sseEvent is null)
                    {
                        return;
                    }

                    if (sseEvent.Sequence <= last)
                    {
                        continue;
                    }

                    // Live delivery may overtake itself (two publishers, or pub/sub across instances): the replay
                    // buffer, which holds every event in order, fills any gap so the client sees each event once, in order.
                    var batch = sseEvent.Sequence == last + 1
                        ? [sseEvent]
                        : await replay.ReadAfterAsync(sessionId, stream, last, connection.Token) ?? [sseEvent];
                    foreach (var next in batch.Where(e => e.Sequence > last))
                    {
                        await http.Response.WriteAsync(SseFormat.Event(next), connection.Token);
                        last = next.Sequence;
                        if (isGetStream)
                        {
                            openStreams.Written(sessionId, last);
                        }
                    }
                }

                await http.Response.Body.FlushAsync(connection.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, another GET took the stream over, the stream's time was up, or the host is stopping:
            // unless the client left, a last retry hint has it reconnect (with Last-Event-ID, losing nothing).
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await SayGoodbyeAsync(http);
            }
        }
        finally
        {
            if (isGetStream)
            {
                openStreams.Closed(sessionId, connection);
            }
            else
            {
                openStreams.ClosedResumed(sessionId);
            }

            connection.Dispose();
        }
    }

    /// <summary>
    /// Graceful shutdown: a last <c>retry</c> hint so the client reconnects soon — to another instance, which
    /// resumes the stream from <c>Last-Event-ID</c>.
    /// </summary>
    private async Task SayGoodbyeAsync(HttpContext http)
    {
        try
        {
            await http.Response.WriteAsync(SseFormat.Retry(options.Value.RetryInterval), CancellationToken.None);
            await http.Response.Body.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is already gone.
        }
    }

    /// <summary>
    /// Waits for the stream's next item; when none comes within the keep-alive interval, writes a keep-alive
    /// comment and returns false (the caller waits again).
    /// </summary>
    private async Task<bool> WaitOrKeepAliveAsync<T>(HttpContext http, ChannelReader<T> reader, CancellationToken connection)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(connection);
        wait.CancelAfter(options.Value.KeepAliveInterval);
        try
        {
            await reader.WaitToReadAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException) when (!connection.IsCancellationRequested)
        {
            await http.Response.WriteAsync(SseFormat.KeepAlive, connection);
            await http.Response.Body.FlushAsync(connection);
            return false;
        }
    }

    private void CheckOrigin(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (!origins.IsAllowed(origin))
        {
            LogOriginRejected(logger, origin);
            throw new McpRefusal(McpStatus.Forbidden, (int)McpErrorCode.InvalidRequest, "Forbidden: this Origin may not call the MCP endpoint.");
        }
    }

    private static void CheckAccept(HttpContext http, bool json)
    {
        var accepts = http.Request.GetTypedHeaders().Accept;
        bool Accepts(string type, string subtype) => accepts.Any(a =>
            (a.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            || (a.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && (a.SubType.Equals(subtype, StringComparison.OrdinalIgnoreCase) || a.SubType.Equals("*", StringComparison.OrdinalIgnoreCase))));

        var ok = Accepts("text", "event-stream") && (!json || Accepts("application", "json"));
        if (!ok)
        {
            throw new McpRefusal(McpStatus.NotAcceptable,
                (int)McpErrorCode.InvalidRequest,
                json ? "Not Acceptable: the client must accept both application/json and text/event-stream." : "Not Acceptable: the client must accept text/event-stream.");
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The body as one parsed JSON document (pooled; disposed with the response, so nothing may keep its elements
    /// past the request: what outlives it is deserialized or cloned first).
    /// </summary>
    private async Task<JsonElement> ReadBodyAsync(HttpContext http)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            http.Response.RegisterForDispose(document);
            return document.RootElement;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        catch (JsonException)
        {
            throw new McpRefusal(McpStatus.BadRequest, (int)McpErrorCode.ParseError, "Parse error: the body is not valid JSON.");
        }

        McpRefusal TooLarge() =>
            new(McpStatus.PayloadTooLarge, (int)McpErrorCode.InvalidRequest, $"The message is larger than {limit} bytes.");
    }

    /// <summary>
    /// The session the request belongs to, checked in this order: header present (400), version header
    /// supported (400), session live and opened by this caller (404 — another principal's id looks unknown).
    /// </summary>
    private async Task<McpSession> RequireSessionAsync(HttpContext http, RequestId? id)
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

    private Task UnavailableAsync(HttpContext http, SessionStoreUnavailableException ex, RequestId? id = null)
    {
        LogStoreUnavailable(logger, ex.InnerException ?? ex);
        return WriteJsonAsync(http, StatusCodes.Status503ServiceUnavailable, JsonRpcWire.Error(id, (int)McpErrorCode.InternalError, ex.Message), http.RequestAborted);
    }

    private static Task RejectAsync(HttpContext http, McpRefusal ex) =>
        WriteJsonAsync(http, McpHttpStatus.Of(ex.Status), ex.ToPayload(), http.RequestAborted);

    internal static async Task WriteJsonAsync(HttpContext http, int status, string payload, CancellationToken cancellationToken = default)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(payload);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The MCP session store is unavailable; answering 503")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP session {SessionId} ended by the client")]
    private static partial void LogSessionEnded(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP request from a disallowed Origin '{Origin}' refused")]
    private static partial void LogOriginRejected(ILogger logger, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} resumed stream {Stream} after event {Sequence}, but later events were already evicted from the replay buffer")]
    private static partial void LogReplayGap(ILogger logger, string sessionId, string stream, long sequence);
}
