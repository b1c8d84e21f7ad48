using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Context;

/// <summary>
/// Pushes a JSON-RPC notification to a session's stream from anywhere in the application (a handler, a background
/// service). Delivered on the session's open GET stream, or kept for replay until the client reconnects.
/// </summary>
public interface IMcpNotifier
{
    /// <summary>False when the session does not exist (or has expired).</summary>
    ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default);

    /// <summary>Sends to every live session with an open stream (e.g. <c>notifications/tools/list_changed</c>).</summary>
    ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default);
}
