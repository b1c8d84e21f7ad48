using System.Text.Json.Nodes;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Sessions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>The errors both eras answer alike: permissions, limits, rates, stores out of reach, and the rest.</summary>
public static class McpErrors
{
    /// <summary>The JSON-RPC code of a refused rate limit: in the implementation-defined server range, outside −32020…−32099.</summary>
    public const int RateLimited = -32000;

    /// <summary>A permission of the binding refused the caller (sent with HTTP 403 and an <c>insufficient_scope</c> challenge).</summary>
    public const int Forbidden = -32001;

    /// <summary>The session named by the request is unknown (sent with HTTP 404).</summary>
    public const int SessionNotFound = -32001;

    /// <summary>The request was cancelled (<c>notifications/cancelled</c>, or its session ended).</summary>
    public const int RequestCancelled = -32800;

    /// <summary>A bound of <c>Mcp:Limits</c> reached: <see cref="McpLimitExceededException.Code"/> with <c>data: { limit, max }</c> (and <c>retryAfter</c> in seconds for a rate).</summary>
    public static string LimitError(RequestId? id, McpLimitExceededException limit, int? retryAfter = null)
    {
        var data = new JsonObject { ["limit"] = limit.Limit, ["max"] = limit.Max };
        if (retryAfter is { } seconds)
        {
            data["retryAfter"] = seconds;
        }

        return JsonRpcWire.Error(id, McpLimitExceededException.Code, limit.Message, data);
    }

    /// <summary>Rate limit refused (or cannot be checked): -32000 with <c>data.retryAfter</c> in seconds, or -32603 (sent with HTTP 503).</summary>
    public static (int Code, string Message, JsonObject? Data) RateLimitError(Exception exception) => exception switch
    {
        RateLimitExceededException limited => (
            RateLimited,
            $"Rate limit exceeded for '{limited.Binding}' (policy '{limited.Policy}'); retry after {limited.RetryAfterSeconds} s.",
            new JsonObject { ["retryAfter"] = limited.RetryAfterSeconds, ["policy"] = limited.Policy }),
        _ => ((int)McpErrorCode.InternalError, "Rate limits cannot be checked right now; try again shortly.", null),
    };

    /// <summary>The error's <c>data</c>: what the handler put in <see cref="Exception.Data"/> (e.g. the unknown resource's uri).</summary>
    public static JsonObject? DataOf(McpProtocolException exception)
    {
        if (exception.Data.Count == 0)
        {
            return null;
        }

        var data = new JsonObject();
        foreach (System.Collections.DictionaryEntry entry in exception.Data)
        {
            data[entry.Key.ToString()!] = entry.Value is JsonNode node ? node.DeepClone() : JsonValue.Create(entry.Value?.ToString());
        }

        return data;
    }

    /// <summary>
    /// The answer of both eras to a failure that is neither the protocol's nor a cancellation: a permission that
    /// refused the caller (403, with the refusal for the host's challenge), a bound of <c>Mcp:Limits</c> (429 for a
    /// rate), a refused rate limit (or one that cannot be checked, or a store out of reach: 503); else null — an
    /// internal error the caller logs.
    /// </summary>
    public static McpReply? Known(RequestId? id, Exception exception, McpOperation operation)
    {
        switch (exception)
        {
            case ForbiddenAccessException forbidden:
                operation.Failed(Forbidden, forbidden.Message);
                var data = new JsonObject { ["binding"] = forbidden.Binding, ["requiredScopes"] = new JsonArray([.. forbidden.RequiredScopes.Select(s => JsonValue.Create(s))]) };
                return new McpReply(McpStatus.Forbidden, JsonRpcWire.Error(id, Forbidden, forbidden.Message, data)) { Forbidden = forbidden };
            case McpLimitExceededException limit:
                operation.Failed(McpLimitExceededException.Code, limit.Message);
                return new McpReply(limit.IsRate ? McpStatus.TooManyRequests : McpStatus.Ok, LimitError(id, limit, limit.RetryAfter)) { RetryAfter = limit.RetryAfter };
            case RateLimitExceededException or RateLimitUnavailableException:
                var (code, message, rateData) = RateLimitError(exception);
                operation.Failed(code, message);

                // Limits that cannot be checked (Redis down) refuse the call before it changes anything: 503, as REST answers.
                return new McpReply(exception is RateLimitUnavailableException ? McpStatus.Unavailable : McpStatus.Ok, JsonRpcWire.Error(id, code, message, rateData));
            case SessionStoreUnavailableException unavailable:
                operation.Failed((int)McpErrorCode.InternalError, unavailable.Message);
                return new McpReply(McpStatus.Unavailable, JsonRpcWire.Error(id, (int)McpErrorCode.InternalError, unavailable.Message));
            default:
                return null;
        }
    }
}
