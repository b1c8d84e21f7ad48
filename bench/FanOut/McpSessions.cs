using System.Net.Http.Headers;
using System.Text;

namespace McpCqrs.Bench.FanOut;

/// <summary>2025-11-25 sessions over raw HTTP: initialize, POST a message, open the GET stream, DELETE.</summary>
internal sealed class McpSessions(HttpClient http)
{
    private const string Accept = "application/json, text/event-stream";

    /// <summary>initialize + notifications/initialized on <paramref name="url"/>; returns the session id.</summary>
    public async Task<string> OpenAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var init = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fanout","version":"1"}}}""", Encoding.UTF8, "application/json"),
        };
        init.Headers.TryAddWithoutValidation("Accept", Accept);
        using var response = await http.SendAsync(init, cancellationToken);
        response.EnsureSuccessStatusCode();
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        await PostAsync(url, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken);
        return session;
    }

    public async Task<string> PostAsync(Uri url, string session, string body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Opens the session's GET stream; the caller reads and disposes the response.</summary>
    public async Task<HttpResponseMessage> ListenAsync(Uri url, string session, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }

    public async Task CloseAsync(Uri url, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, url);
        request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        using var response = await http.SendAsync(request);
    }

    /// <summary>The `broadcast` tool call that sends <paramref name="count"/> notifications to every open stream.</summary>
    public static string Broadcast(int count, int id = 2) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"broadcast\",\"arguments\":{\"count\":"
        + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}";

    public static HttpClient Client(int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) }) { Timeout = Timeout.InfiniteTimeSpan };
}
