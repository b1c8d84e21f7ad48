using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Starter.Tests;

/// <summary>
/// Just enough of an MCP client (2025-11-25, Streamable HTTP) for the tests: raw JSON-RPC over HTTP, so a test shows
/// what is on the wire. Answers may come as JSON or as a server-sent event stream.
/// </summary>
internal sealed class McpClient(HttpClient http)
{
    public const string ProtocolVersion = "2025-11-25";

    private int _nextId;
    private string? _sessionId;

    public async Task<JsonObject> InitializeAsync()
    {
        var result = await RequestAsync("initialize", new JsonObject
        {
            ["protocolVersion"] = ProtocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "McpCqrs.Starter.Tests", ["version"] = "1.0.0" },
        });
        using var initialized = await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, initialized.StatusCode);
        return result;
    }

    public Task<JsonObject> CallToolAsync(string name, JsonObject arguments) =>
        RequestAsync("tools/call", new JsonObject { ["name"] = name, ["arguments"] = arguments });

    public async Task<JsonObject> RequestAsync(string method, JsonObject parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        using var response = await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method}: HTTP {(int)response.StatusCode} {body}");
        if (response.Headers.TryGetValues("Mcp-Session-Id", out var session))
        {
            _sessionId ??= session.First();
        }

        var message = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? MessageFromEvents(body, id)
            : JsonNode.Parse(body)!.AsObject();
        Assert.True(message["error"] is null, $"{method}: {message.ToJsonString()}");
        return message["result"]!.AsObject();
    }

    private async Task<HttpResponseMessage> SendAsync(JsonObject message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (_sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", _sessionId);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        return await http.SendAsync(request);
    }

    /// <summary>
    /// The answer to request <paramref name="id"/> in a server-sent event stream. An event's data is its <c>data:</c>
    /// lines joined; an event without data carries no message: the server's first event (the priming event, an id
    /// with an empty <c>data:</c> line, for resuming the stream) is one, and so are <c>retry:</c> and comments.
    /// </summary>
    internal static JsonObject MessageFromEvents(string stream, int id)
    {
        var data = new StringBuilder();
        foreach (var raw in stream.Split('\n').Append(string.Empty))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                // The end of an event.
                var payload = data.ToString();
                data.Clear();
                if (string.IsNullOrWhiteSpace(payload))
                {
                    continue;
                }

                var node = JsonNode.Parse(payload)!.AsObject();
                if (node["id"] is { } messageId && messageId.GetValueKind() == JsonValueKind.Number && messageId.GetValue<int>() == id)
                {
                    return node;
                }
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0)
                {
                    data.Append('\n');
                }

                // One space after the colon belongs to the field syntax, not to the value.
                data.Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
            }
        }

        throw new InvalidOperationException($"No answer to request {id} in the event stream: {stream}");
    }
}
