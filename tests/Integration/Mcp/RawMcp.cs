using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Raw HTTP against <c>/mcp</c>, for what a well-behaved client never sends.</summary>
internal sealed class RawMcp(HttpClient client)
{
    public const string Accept = "application/json, text/event-stream";

    public string? SessionId { get; set; }

    public string? ProtocolVersion { get; set; } = "2025-11-25";

    public HttpRequestMessage Request(HttpMethod method, string? body = null, string accept = Accept, string contentType = "application/json", string? origin = null)
    {
        var request = new HttpRequestMessage(method, "/mcp");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (SessionId is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", SessionId);
        }

        if (ProtocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", ProtocolVersion);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead) =>
        client.SendAsync(request, completion);

    public Task<HttpResponseMessage> PostAsync(string body, string? origin = null) => SendAsync(Request(HttpMethod.Post, body, origin: origin));

    /// <summary>initialize + notifications/initialized; remembers the session id.</summary>
    public async Task<string> InitializeAsync(string version = "2025-11-25", JsonObject? capabilities = null)
    {
        SessionId = null;
        var response = await PostAsync(Initialize(version, capabilities: capabilities));
        response.EnsureSuccessStatusCode();
        SessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        (await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")).EnsureSuccessStatusCode();
        return SessionId;
    }

    public static string Initialize(string version, object? id = null, JsonObject? capabilities = null) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = JsonValue.Create(id ?? 1),
        ["method"] = "initialize",
        ["params"] = new JsonObject
        {
            ["protocolVersion"] = version,
            ["capabilities"] = capabilities ?? new JsonObject { ["sampling"] = new JsonObject() },
            ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1" },
        },
    }.ToJsonString();

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}

/// <summary>Reads server-sent events off a response stream, one at a time.</summary>
internal sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public string? Retry { get; private set; }

    /// <summary>The next event (id, data); null when the stream ended. Comments and retry lines are consumed.</summary>
    public async Task<(string? Id, string Data)?> NextAsync(CancellationToken cancellationToken)
    {
        string? id = null;
        var data = new StringBuilder();
        var any = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return (id, data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    any = true;
                    break;
                case "data":
                    data.Append(value);
                    any = true;
                    break;
                case "retry":
                    Retry = value;
                    break;
                case "event":
                    any = true;
                    break;
            }
        }

        return null;
    }

    /// <summary>
    /// The next comment line (<c>: keep-alive</c>, say), blank lines before it skipped; anything else before it (an
    /// event's field) fails the read. Null when the stream ended.
    /// </summary>
    public async Task<string?> NextCommentAsync(CancellationToken cancellationToken)
    {
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(':'))
            {
                return line;
            }

            if (line.Length > 0)
            {
                throw new InvalidDataException($"Expected a comment, read '{line}'.");
            }
        }

        return null;
    }

    /// <summary>The next event that carries data (skips priming events).</summary>
    public async Task<(string? Id, JsonNode Message)> NextMessageAsync(CancellationToken cancellationToken)
    {
        while (await NextAsync(cancellationToken) is { } sseEvent)
        {
            if (sseEvent.Data.Length > 0)
            {
                return (sseEvent.Id, JsonNode.Parse(sseEvent.Data)!);
            }
        }

        throw new EndOfStreamException("The SSE stream ended.");
    }

    public void Dispose() => _reader.Dispose();
}
