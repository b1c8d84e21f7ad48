using McpCqrs.Application.Mcp.Eras;
using McpCqrs.Application.Mcp.Dispatch;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Tasks;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// The stateless revision (2026-07-28) on the same endpoint: a POST the era's policy claims
/// (<see cref="StatelessEraPolicy.Claims"/>) is admitted by it — its checks, in the revision's order — and runs
/// through the dispatcher without a session; <c>subscriptions/listen</c> holds its response open as a stream.
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
            call = statelessEra.Admit(envelope, name => http.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null);
        }
        catch (McpRefusal ex)
        {
            await RejectAsync(http, ex);
            return;
        }

        if (call.Rule.Create is null)
        {
            await ListenAsync(http, call);
            return;
        }

        var stream = new StatelessResponseStream(http);
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var reply = await dispatcher.DispatchAsync(call, stream, http.RequestServices, alive.Token);
        if (reply.Payload is { } payload)
        {
            await stream.CompleteAsync(StatusOf(http, reply), payload, CancellationToken.None);
        }
    }

    /// <summary>
    /// <c>subscriptions/listen</c>: acknowledges what it will send, then streams the opted-in notifications (each
    /// tagged with the subscription id) until the client leaves; on shutdown, or after
    /// <see cref="McpLimitsOptions.MaxStreamDuration"/>, it delivers what is queued and ends with the listen result,
    /// so the client knows to listen again. Refused: more streams than a principal may hold, more task ids than a listen
    /// may name, and resources the caller cannot read.
    /// </summary>
    private async Task ListenAsync(HttpContext http, McpCall call)
    {
        var limits = LimitsOf(http);
        using var place = listeners.TryOpen(TaskRules.OwnerOf(http.RequestServices.GetRequiredService<ICurrentUser>()), limits.MaxListenStreamsPerPrincipal);
        if (place is null)
        {
            var limit = McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxListenStreamsPerPrincipal), limits.MaxListenStreamsPerPrincipal, $"At most {limits.MaxListenStreamsPerPrincipal} listen streams may be open at once; close one first.");
            await WriteJsonAsync(http, StatusCodes.Status200OK, McpErrors.LimitError(call.Id, limit));
            return;
        }


        if (await ListenFilterAsync(http, call) is not { } filter)
        {
            return;
        }

        var subscriptionId = JsonSerializer.SerializeToNode(call.Id, JsonRpcWire.Options);
        var channel = Channel.CreateUnbounded<JsonRpcNotification>(new UnboundedChannelOptions { SingleReader = true });
        var registration = listeners.Register(filter, n => channel.Writer.TryWrite(n));
        using var expiry = new CancellationTokenSource(limits.MaxStreamDuration, clock);
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping, expiry.Token);

        SseFormat.StartResponse(http.Response);
        var honoured = new JsonObject();
        if (filter.Tools)
        {
            honoured["toolsListChanged"] = true;
        }

        if (filter.Prompts)
        {
            honoured["promptsListChanged"] = true;
        }

        if (filter.Resources)
        {
            honoured["resourcesListChanged"] = true;
        }

        if (filter.ResourceUris.Count > 0)
        {
            honoured["resourceSubscriptions"] = new JsonArray([.. filter.ResourceUris.Select(u => (JsonNode?)u)]);
        }

        if (filter.TaskIds.Count > 0)
        {
            honoured["taskIds"] = new JsonArray([.. filter.TaskIds.Select(t => (JsonNode?)t)]);
        }

        try
        {
            await WriteDataAsync(http, Tagged(new JsonRpcNotification { Method = NotificationMethods.SubscriptionsAcknowledgedNotification, Params = new JsonObject { ["notifications"] = honoured } }, subscriptionId), alive.Token);
            while (!alive.IsCancellationRequested)
            {
                if (!await WaitOrKeepAliveAsync(http, channel.Reader, alive.Token))
                {
                    continue;
                }

                while (channel.Reader.TryRead(out var notification))
                {
                    await WriteDataAsync(http, Tagged(notification, subscriptionId), alive.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            registration.Dispose();
        }

        if (!http.RequestAborted.IsCancellationRequested)
        {
            try
            {
                // A graceful end: what was queued for the stream is delivered before the listen result.
                while (channel.Reader.TryRead(out var notification))
                {
                    await WriteDataAsync(http, Tagged(notification, subscriptionId), http.RequestAborted);
                }

                var end = statelessEra.WithServerInfo(new JsonObject { ["resultType"] = "complete" });
                ((JsonObject)end["_meta"]!)[StatelessEraPolicy.MetaSubscriptionId] = subscriptionId?.DeepClone();
                await WriteDataAsync(http, JsonRpcWire.Response(call.Id, end), http.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client left meanwhile: nothing more to send.
            }
        }
    }

    private static string Tagged(JsonRpcNotification notification, JsonNode? subscriptionId)
    {
        var parameters = notification.Params?.DeepClone() as JsonObject ?? new JsonObject();
        var meta = parameters["_meta"] as JsonObject ?? new JsonObject();
        meta[StatelessEraPolicy.MetaSubscriptionId] = subscriptionId?.DeepClone();
        parameters["_meta"] = meta;
        return JsonRpcWire.Message(new JsonRpcNotification { Method = notification.Method, Params = parameters });
    }

    private static async Task WriteDataAsync(HttpContext http, string data, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync($"event: message\ndata: {data}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>
/// The answer to one stateless request: JSON, or SSE when the handler sends notifications (progress, log) before
/// its result. No event ids, no replay, no server-to-client requests (input is asked with <c>input_required</c>).
/// </summary>
internal sealed class StatelessResponseStream(HttpContext http) : IMcpOutbound
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _streaming;

    public async ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_streaming)
            {
                _streaming = true;
                SseFormat.StartResponse(http.Response);
            }

            await http.Response.WriteAsync($"event: message\ndata: {JsonRpcWire.Message(message)}\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A stateless request cannot send requests to the client; IClientInput asks with an input_required result.");

    public ValueTask CloseStreamAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async Task CompleteAsync(int status, string payload, CancellationToken cancellationToken)
    {
        if (!_streaming)
        {
            await McpHttpTransport.WriteJsonAsync(http, status, payload, cancellationToken);
            return;
        }

        await http.Response.WriteAsync($"event: message\ndata: {payload}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
