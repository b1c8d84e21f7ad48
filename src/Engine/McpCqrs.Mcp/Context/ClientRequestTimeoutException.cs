using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Context;

/// <summary>
/// The client did not answer a request this server sent it (<c>elicitation/create</c>, <c>sampling/createMessage</c>,
/// <c>roots/list</c>) within <c>Mcp:ClientRequestTimeout</c>. A handler may catch it (e.g. to fall back to a default);
/// if it does not, the call ends with a JSON-RPC error of code <see cref="Code"/> whose <c>data</c> says which request
/// and how long it waited: <c>{ method, requestId, timeoutMs }</c>.
/// </summary>
public sealed class ClientRequestTimeoutException : McpProtocolException
{
    /// <summary>The JSON-RPC code of an unanswered server→client request: in the implementation-defined server range, outside −32020…−32099.</summary>
    public const int Code = -32004;

    public ClientRequestTimeoutException(string method, string requestId, TimeSpan timeout)
        : base(string.Create(CultureInfo.InvariantCulture, $"The client did not answer '{method}' (request '{requestId}') within {timeout.TotalSeconds:0.###} s."), (McpErrorCode)Code)
    {
        Method = method;
        RequestId = requestId;
        Timeout = timeout;
        Data["method"] = JsonValue.Create(method);
        Data["requestId"] = JsonValue.Create(requestId);
        Data["timeoutMs"] = JsonValue.Create((long)timeout.TotalMilliseconds);
    }

    /// <summary>The request the client left unanswered, e.g. <c>elicitation/create</c>.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC id this server gave the request.</summary>
    public string RequestId { get; }

    /// <summary>How long the server waited.</summary>
    public TimeSpan Timeout { get; }
}
