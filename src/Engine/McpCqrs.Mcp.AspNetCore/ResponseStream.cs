using McpCqrs.Mcp.Dispatch;
using System.Security.Cryptography;
using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Streams;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The answer to one POSTed request. It stays a plain JSON response unless the handler sends something to the
/// client before its result (progress, log messages, a sampling or elicitation request): then it becomes an
/// SSE stream whose events are also stored for replay, so a client that lost the connection resumes it with a
/// GET and <c>Last-Event-ID</c>. A closed connection never cancels the handler (the spec's rule: disconnection
/// is not cancellation).
/// </summary>
internal sealed class ResponseStream(
    HttpContext http,
    string sessionId,
    McpStreamServices streams) : IMcpOutbound
{
    private SemaphoreSlim? _gate;
    private string? _streamId;
    private bool _connected = true;

    public bool IsStreaming => _streamId is not null;

    /// <summary>Made when the first message goes out before the result: most requests answer plain JSON and never take it.</summary>
    private SemaphoreSlim Gate => GateOf(ref _gate);

    /// <summary>The write gate in <paramref name="gate"/>, made on first use (one wins if two threads make one at once).</summary>
    internal static SemaphoreSlim GateOf(ref SemaphoreSlim? gate) =>
        gate ?? Interlocked.CompareExchange(ref gate, new SemaphoreSlim(1, 1), null) ?? gate;

    public ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken) =>
        WriteEventAsync(JsonRpcWire.Message(message), cancellationToken);

    /// <summary>
    /// Sends the request and waits for the client's answer (on any instance), at most <c>Mcp:ClientRequestTimeout</c>:
    /// then <see cref="ClientRequestTimeoutException"/>.
    /// </summary>
    public async ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var (id, answer) = streams.Pending.Register(sessionId);
        try
        {
            await WriteEventAsync(JsonRpcWire.Message(new JsonRpcRequest { Id = id, Method = method, Params = parameters }), cancellationToken);
            return await answer.WaitAsync(streams.Protocol.ClientRequestTimeout, cancellationToken);
        }
        catch (TimeoutException) when (!answer.IsCompleted)
        {
            throw new ClientRequestTimeoutException(method, id.ToString(), streams.Protocol.ClientRequestTimeout);
        }
        finally
        {
            streams.Pending.Forget(sessionId, id);
        }
    }

    /// <summary>Ends the HTTP response early; what follows is kept for the client to resume with a GET.</summary>
    public async ValueTask CloseStreamAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await StartAsync(cancellationToken);
            if (_connected)
            {
                _connected = false;
                await http.Response.CompleteAsync();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Writes the final JSON-RPC response: as the last SSE event when streaming, else as a JSON body with
    /// <paramref name="status"/> (a stream already answered 200, so it carries the error in its last event).
    /// </summary>
    public async Task CompleteAsync(int status, McpReply reply, CancellationToken cancellationToken)
    {
        if (_streamId is null)
        {
            await McpHttpTransport.WriteJsonAsync(http, status, reply, cancellationToken);
            return;
        }

        await WriteEventAsync(reply.TakePayload(), cancellationToken);
        await streams.Replay.CompleteAsync(sessionId, _streamId, CancellationToken.None);
        await streams.Broker.PublishAsync(sessionId, _streamId, null, CancellationToken.None);
    }

    private async ValueTask WriteEventAsync(string data, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await StartAsync(cancellationToken);
            var sseEvent = await streams.Replay.AppendAsync(sessionId, _streamId!, data, CancellationToken.None);
            await streams.Broker.PublishAsync(sessionId, _streamId!, sseEvent, CancellationToken.None);
            await WriteAsync(sseEvent);
        }
        finally
        {
            Gate.Release();
        }
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_streamId is not null)
        {
            return;
        }

        _streamId = "r" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        SseFormat.StartResponse(http.Response);
        // The priming event: an id with empty data, so a client that loses the stream can resume it at once.
        var priming = await streams.Replay.AppendAsync(sessionId, _streamId, string.Empty, cancellationToken);
        await WriteAsync(priming, withRetry: true);
    }

    private async ValueTask WriteAsync(SseEvent sseEvent, bool withRetry = false)
    {
        if (!_connected)
        {
            return;
        }

        try
        {
            var body = await SseFormat.BodyAsync(http.Response, http.RequestAborted);
            if (withRetry)
            {
                SseFormat.Retry(body, streams.Options.RetryInterval);
            }

            SseFormat.Event(body, sseEvent);
            await body.FlushAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away; the events stay in the replay buffer for its GET with Last-Event-ID.
            _connected = false;
        }
    }
}

/// <summary>
/// Server-sent events framing, written as UTF-8 straight into the response body's pipe (no text is built first). The
/// writers do not flush: a caller writes what it has (one event, or every event queued for a stream) and then flushes
/// once, so a stream with a backlog sends it in one go.
/// </summary>
internal static class SseFormat
{
    public static void StartResponse(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>The body to write frames into, once the response has started (its headers go first).</summary>
    public static async ValueTask<PipeWriter> BodyAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        if (!response.HasStarted)
        {
            await response.StartAsync(cancellationToken);
        }

        return response.BodyWriter;
    }

    /// <summary>The reconnection delay a client should wait before it resumes the stream.</summary>
    public static void Retry(PipeWriter body, TimeSpan interval)
    {
        body.Write("retry: "u8);
        var digits = body.GetSpan(20);
        ((long)interval.TotalMilliseconds).TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        body.Advance(written);
        body.Write("\n\n"u8);
    }

    /// <summary>A stored event: its id (for <c>Last-Event-ID</c>), and its message unless it is a priming event.</summary>
    public static void Event(PipeWriter body, SseEvent sseEvent)
    {
        body.Write("id: "u8);
        Text(body, sseEvent.Id);
        if (sseEvent.Data.Length == 0)
        {
            body.Write("\ndata: \n\n"u8);
            return;
        }

        body.Write("\n"u8);
        Message(body, sseEvent.Data);
    }

    /// <summary>One JSON-RPC message as an SSE <c>message</c> event without an id (the stateless era has no replay).</summary>
    public static void Message(PipeWriter body, string data)
    {
        body.Write("event: message\ndata: "u8);
        Text(body, data);
        body.Write("\n\n"u8);
    }

    /// <summary>A comment that keeps the connection heard.</summary>
    public static void KeepAlive(PipeWriter body) => body.Write(": keep-alive\n\n"u8);

    private static void Text(PipeWriter body, string text) => Encoding.UTF8.GetBytes(text.AsSpan(), body);
}
