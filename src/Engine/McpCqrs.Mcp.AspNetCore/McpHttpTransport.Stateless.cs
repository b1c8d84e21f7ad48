using System.Text.Json.Nodes;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Eras;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Listen;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The stateless revision (2026-07-28) on the same endpoint: a POST the era's policy claims
/// (<see cref="McpCqrs.Mcp.Eras.StatelessEraPolicy.Claims"/>) is admitted by it — its checks, in the
/// revision's order — and runs through the dispatcher without a session; a reply that is a stream
/// (<c>subscriptions/listen</c>) is held open and framed as SSE.
/// </summary>
internal sealed partial class McpHttpTransport
{
    private async Task StatelessAsync(HttpContext http, JsonRpcEnvelope envelope)
    {
        if (envelope.Kind != JsonRpcKind.Request)
        {
            http.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        McpCall call;
        try
        {
            call = statelessEra.Admit(envelope, new RequestHeaders(http.Request.Headers));
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
            return;
        }

        var stream = new StatelessResponseStream(http);
        // The call's own source, cancelled from outside when the client leaves or the host stops.
        using var alive = new CallCancellation();
        McpReply reply;
        using (http.RequestAborted.UnsafeRegister(CallCancellation.Outside, alive))
        using (lifetime.ApplicationStopping.UnsafeRegister(CallCancellation.Outside, alive))
        {
            reply = await dispatcher.DispatchAsync(call, stream, http.RequestServices, alive);
        }

        if (reply.Stream is { } open)
        {
            using (open)
            {
                await HoldAsync(http, open);
            }
        }
        else if (reply.HasUtf8 || reply.Payload is not null)
        {
            await stream.CompleteAsync(StatusOf(http, reply), reply, CancellationToken.None);
        }
    }

    /// <summary>
    /// Holds a stream open: its first message, then each as it comes (and a keep-alive comment every interval, for a
    /// stream made from its channel: see <see cref="McpStream"/>), until the client
    /// leaves, the host stops or the stream's time is up; unless the client left, what is queued is sent and then the
    /// stream's last message.
    /// </summary>
    private async Task HoldAsync(HttpContext http, McpStream open)
    {
        using var expiry = new CancellationTokenSource(open.MaxDuration, clock);
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping, expiry.Token);
        SseFormat.StartResponse(http.Response);
        try
        {
            await WriteMessageAsync(http, open.Acknowledgement, alive.Token);
            using var beat = open.Beats is { } queue ? beats.Join(queue, McpStream.Beat) : null;
            while (await open.Notifications.WaitToReadAsync(alive.Token))
            {
                while (open.Notifications.TryRead(out var message))
                {
                    if (message.Length == 0)
                    {
                        beat?.Heard();
                    }

                    await WriteMessageAsync(http, message, alive.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (!http.RequestAborted.IsCancellationRequested)
        {
            try
            {
                while (open.Notifications.TryRead(out var message))
                {
                    await WriteMessageAsync(http, message, http.RequestAborted);
                }

                await WriteMessageAsync(http, open.End(), http.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client left meanwhile: nothing more to send.
            }
        }
    }

    /// <summary>Writes one message of a stateless stream as an SSE event (an empty one, a held stream's keep-alive beat, as a comment).</summary>
    internal static async Task WriteMessageAsync(HttpContext http, string message, CancellationToken cancellationToken)
    {
        var body = await SseFormat.BodyAsync(http.Response, cancellationToken);
        if (message.Length == 0)
        {
            SseFormat.KeepAlive(body);
        }
        else
        {
            SseFormat.Message(body, message);
        }

        await body.FlushAsync(cancellationToken);
    }
}

/// <summary>The request's headers as the stateless era reads them, with nothing allocated to reach them.</summary>
internal readonly struct RequestHeaders(IHeaderDictionary headers) : IMcpRequestHeaders
{
    public string? this[string name] => headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null;
}

/// <summary>
/// The answer to one stateless request: JSON, or SSE when the handler sends notifications (progress, log) before
/// its result. No event ids, no replay, no server-to-client requests (input is asked with <c>input_required</c>).
/// </summary>
internal sealed class StatelessResponseStream(HttpContext http) : IMcpOutbound
{
    private SemaphoreSlim? _gate;
    private bool _streaming;

    /// <summary>Made when the response first streams (most answer once, with no message before).</summary>
    private SemaphoreSlim Gate => ResponseStream.GateOf(ref _gate);

    public async ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!_streaming)
            {
                _streaming = true;
                SseFormat.StartResponse(http.Response);
            }

            await McpHttpTransport.WriteMessageAsync(http, JsonRpcWire.Message(message), http.RequestAborted);
        }
        finally
        {
            Gate.Release();
        }
    }

    public ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A stateless request cannot send requests to the client; IClientInput asks with an input_required result.");

    public ValueTask CloseStreamAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async Task CompleteAsync(int status, McpReply reply, CancellationToken cancellationToken)
    {
        if (!_streaming)
        {
            await McpHttpTransport.WriteJsonAsync(http, status, reply, cancellationToken);
            return;
        }

        await McpHttpTransport.WriteMessageAsync(http, reply.TakePayload(), cancellationToken);
    }
}
