using McpCqrs.Mcp.Dispatch;
using System.Text.Json;
using McpCqrs.Mcp.Sessions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>What HTTP checks and writes: origin, media types, body size, JSON answers.</summary>
internal sealed partial class McpHttpTransport
{
    private void CheckOrigin(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (!origins.IsAllowed(origin))
        {
            LogOriginRejected(logger, origin);
            throw new McpRefusal(McpStatus.Forbidden, (int)McpErrorCode.InvalidRequest, "Forbidden: this Origin may not call the MCP endpoint.");
        }
    }

    /// <summary>
    /// Accept header values already judged, both ways (clients send the same value on every request). Bounded: past
    /// <see cref="MaxKnownAccepts"/> values, new ones are judged each time and not kept.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Accept, bool Json), bool> KnownAccepts = new();

    private const int MaxKnownAccepts = 256;

    private static void CheckAccept(HttpContext http, bool json)
    {
        var header = http.Request.Headers.Accept.ToString();
        if (!KnownAccepts.TryGetValue((header, json), out var ok))
        {
            ok = Acceptable(http, json);
            if (KnownAccepts.Count < MaxKnownAccepts)
            {
                KnownAccepts.TryAdd((header, json), ok);
            }
        }

        if (!ok)
        {
            throw new McpRefusal(McpStatus.NotAcceptable,
                (int)McpErrorCode.InvalidRequest,
                json ? "Not Acceptable: the client must accept both application/json and text/event-stream." : "Not Acceptable: the client must accept text/event-stream.");
        }
    }

    private static bool Acceptable(HttpContext http, bool json)
    {
        var accepts = http.Request.GetTypedHeaders().Accept;
        bool Accepts(string type, string subtype) => accepts.Any(a =>
            (a.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            || (a.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && (a.SubType.Equals(subtype, StringComparison.OrdinalIgnoreCase) || a.SubType.Equals("*", StringComparison.OrdinalIgnoreCase))));

        return Accepts("text", "event-stream") && (!json || Accepts("application", "json"));
    }

    private static bool IsJson(string? contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || (MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The body as one parsed JSON document (pooled; disposed with the response, so nothing may keep its elements
    /// past the request: what outlives it is deserialized or cloned first).
    /// </summary>
    private async ValueTask<JsonElement> ReadBodyAsync(HttpContext http)
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

    private Task UnavailableAsync(HttpContext http, SessionStoreUnavailableException ex, RequestId? id = null)
    {
        LogStoreUnavailable(logger, ex.InnerException ?? ex);
        return WriteJsonAsync(http, StatusCodes.Status503ServiceUnavailable, JsonRpcWire.Error(id, (int)McpErrorCode.InternalError, ex.Message), http.RequestAborted);
    }

    private static Task RejectAsync(HttpContext http, McpRefusal ex) =>
        WriteJsonAsync(http, McpHttpStatus.Of(ex.Status), ex.ToPayload(), http.RequestAborted);

    /// <summary>
    /// Writes the reply's message as a JSON answer: its UTF-8 as it is (and then gives its pooled array back), else its
    /// text encoded straight into the response's pipe.
    /// </summary>
    internal static async Task WriteJsonAsync(HttpContext http, int status, McpReply reply, CancellationToken cancellationToken = default)
    {
        if (!reply.HasUtf8)
        {
            await WriteJsonAsync(http, status, reply.Payload!, cancellationToken);
            return;
        }

        try
        {
            var utf8 = reply.Utf8;
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = utf8.Length;
            await http.Response.BodyWriter.WriteAsync(utf8, cancellationToken);
        }
        finally
        {
            reply.Release();
        }
    }

    /// <summary>Writes a JSON answer, encoded straight into the response's pipe (no intermediate byte array).</summary>
    internal static async Task WriteJsonAsync(HttpContext http, int status, string payload, CancellationToken cancellationToken = default)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(payload);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = length;
        var pipe = http.Response.BodyWriter;
        var written = System.Text.Encoding.UTF8.GetBytes(payload, pipe.GetSpan(length));
        pipe.Advance(written);
        await pipe.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP request from a disallowed Origin '{Origin}' refused")]
    private static partial void LogOriginRejected(ILogger logger, string origin);
}
