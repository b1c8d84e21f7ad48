using McpCqrs.Mcp.Streams;
using System.Text.Json.Nodes;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// What a 2025-11-25 client sends to something in flight — its answer to a server→client request, a
/// <c>notifications/cancelled</c> — and the end of its session (<c>DELETE</c>), delivered to whatever holds them on
/// this instance: the waiting handler gets its answer, the running request is cancelled, and when the session ends
/// its running requests are cancelled, what they wait for fails and its GET stream closes. This one instance only;
/// with Redis, <see cref="DistributedSessionSignals"/> carries them to the instance that holds them.
/// </summary>
internal class SessionSignals(InFlightRequests inFlight, PendingClientRequests pending, OpenStreams openStreams)
{
    /// <summary>Hands the client's <paramref name="response"/> (to the request <paramref name="id"/>) to the handler waiting for it.</summary>
    public virtual ValueTask AnswerAsync(string sessionId, string id, JsonObject response, CancellationToken cancellationToken)
    {
        Answer(sessionId, id, response);
        return ValueTask.CompletedTask;
    }

    /// <summary>Cancels the session's request <paramref name="requestId"/>.</summary>
    public virtual ValueTask CancelAsync(string sessionId, string requestId, CancellationToken cancellationToken)
    {
        Cancel(sessionId, requestId);
        return ValueTask.CompletedTask;
    }

    /// <summary>The session was deleted: ends what it has running or open.</summary>
    public virtual ValueTask EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        End(sessionId);
        return ValueTask.CompletedTask;
    }

    /// <summary>True when a handler here was waiting for this answer.</summary>
    protected bool Answer(string sessionId, string id, JsonObject response) => pending.Complete(sessionId, id, response);

    /// <summary>True when the request runs here.</summary>
    protected bool Cancel(string sessionId, string requestId) => inFlight.Cancel(sessionId, requestId);

    protected void End(string sessionId)
    {
        // Cancel first, so a handler that waits for its client sees its own cancellation.
        inFlight.CancelSession(sessionId);
        pending.FailSession(sessionId, new OperationCanceledException($"Session {sessionId} ended before the client answered."));
        openStreams.Close(sessionId);
    }
}

/// <summary>
/// <see cref="SessionSignals"/> across instances sharing a Redis (behind a load balancer without sticky sessions): an
/// answer or a cancel that finds nothing here is published on Redis, and the instance that holds the request takes
/// it; the end of a session is published always, so every instance ends what it holds of it. Publishing an answer
/// or a cancel fails (503) when Redis is down — nothing was delivered, the client may send it again; the end of a
/// session is best-effort (the session is deleted already; requests elsewhere end by <c>Mcp:ClientRequestTimeout</c>).
/// </summary>
internal sealed class DistributedSessionSignals : SessionSignals, IHostedService, IAsyncDisposable
{
    private const string AnswerKind = "answer";
    private const string CancelKind = "cancel";
    private const string EndKind = "end";

    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly BroadcastRelay _relay;
    private readonly ILogger<DistributedSessionSignals> _logger;

    public DistributedSessionSignals(
        InFlightRequests inFlight,
        PendingClientRequests pending,
        OpenStreams openStreams,
        IMcpBroadcast broadcast,
        ILogger<DistributedSessionSignals> logger)
        : base(inFlight, pending, openStreams)
    {
        _logger = logger;
        _relay = new BroadcastRelay(broadcast, "session-signal", OnMessage, logger);
    }

    public override async ValueTask AnswerAsync(string sessionId, string id, JsonObject response, CancellationToken cancellationToken)
    {
        if (!Answer(sessionId, id, response))
        {
            await PublishAsync(AnswerKind, sessionId, id, response, cancellationToken);
        }
    }

    public override async ValueTask CancelAsync(string sessionId, string requestId, CancellationToken cancellationToken)
    {
        if (!Cancel(sessionId, requestId))
        {
            await PublishAsync(CancelKind, sessionId, requestId, null, cancellationToken);
        }
    }

    public override async ValueTask EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        End(sessionId);
        await Announcements.TryAsync(Announcements.SessionEnded, sessionId, () => PublishAsync(EndKind, sessionId, null, null, CancellationToken.None), _logger);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _relay.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private async ValueTask PublishAsync(string kind, string sessionId, string? id, JsonObject? response, CancellationToken cancellationToken)
    {
        var signal = new JsonObject { ["origin"] = _origin, ["kind"] = kind, ["session"] = sessionId };
        if (id is not null)
        {
            signal["id"] = id;
        }

        if (response is not null)
        {
            signal["response"] = response.DeepClone();
        }

        await _relay.PublishAsync(signal.ToJsonString(), cancellationToken);
    }

    private ValueTask OnMessage(string payload)
    {
        if (JsonNode.Parse(payload) is not JsonObject signal
            || signal["origin"]?.GetValue<string>() is not { } origin || origin == _origin
            || signal["session"]?.GetValue<string>() is not { } sessionId)
        {
            return ValueTask.CompletedTask;
        }

        var id = signal["id"]?.GetValue<string>();
        switch (signal["kind"]?.GetValue<string>())
        {
            case AnswerKind when id is not null && signal["response"] is JsonObject response:
                Answer(sessionId, id, response);
                break;
            case CancelKind when id is not null:
                Cancel(sessionId, id);
                break;
            case EndKind:
                End(sessionId);
                break;
        }

        return ValueTask.CompletedTask;
    }
}
