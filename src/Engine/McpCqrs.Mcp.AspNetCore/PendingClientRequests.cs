using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>Requests this server sent to clients (sampling, elicitation), waiting for the client's response POST.</summary>
public sealed class PendingClientRequests
{
    private readonly ConcurrentDictionary<(string Session, string Id), TaskCompletionSource<JsonNode?>> _pending = new();

    public (RequestId Id, Task<JsonNode?> Answer) Register(string sessionId)
    {
        var id = new RequestId($"srv-{Guid.NewGuid():N}");
        var tcs = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[(sessionId, id.ToString())] = tcs;
        return (id, tcs.Task);
    }

    public void Forget(string sessionId, RequestId id) => _pending.TryRemove((sessionId, id.ToString()), out _);

    /// <summary>Hands a client's response to the waiting handler; false when nothing waits for it.</summary>
    public bool Complete(string sessionId, string id, JsonObject response)
    {
        if (!_pending.TryRemove((sessionId, id), out var tcs))
        {
            return false;
        }

        if (response["error"] is JsonObject error)
        {
            var code = error["code"] is JsonValue c && c.TryGetValue<int>(out var n) ? n : (int)McpErrorCode.InternalError;
            var message = error["message"]?.GetValue<string>() ?? "The client answered with an error.";
            tcs.TrySetException(new McpProtocolException(message, (McpErrorCode)code));
        }
        else
        {
            tcs.TrySetResult(response["result"]?.DeepClone());
        }

        return true;
    }

    /// <summary>Fails whatever waits for an answer from <paramref name="sessionId"/>'s client (the session ended); how many.</summary>
    public int FailSession(string sessionId, Exception reason)
    {
        var failed = 0;
        foreach (var key in _pending.Keys)
        {
            if (key.Session == sessionId && _pending.TryRemove(key, out var tcs) && tcs.TrySetException(reason))
            {
                failed++;
            }
        }

        return failed;
    }
}
