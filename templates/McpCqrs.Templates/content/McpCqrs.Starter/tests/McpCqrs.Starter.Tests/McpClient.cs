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

    /// <summary>The answer to request <paramref name="id"/> among the events' data lines.</summary>
    private static JsonObject MessageFromEvents(string stream, int id)
    {
        foreach (var line in stream.Split('\n'))
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal) || line.Length <= 5)
            {
                continue;
            }

            var node = JsonNode.Parse(line[5..].Trim())!.AsObject();
            if (node["id"] is { } messageId && messageId.GetValueKind() == JsonValueKind.Number && messageId.GetValue<int>() == id)
            {
                return node;
            }
        }

        throw new InvalidOperationException($"No answer to request {id} in the event stream: {stream}");
    }
}
