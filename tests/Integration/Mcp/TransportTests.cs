using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Every status and error code of the Streamable HTTP transport, over raw HTTP against the real host.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private TestHost _host = null!;
    private RawMcp _mcp = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartOnSqliteAsync(
            services => services.AddConformanceFixtures(),
            new Dictionary<string, string?>
            {
                ["Mcp:KeepAliveInterval"] = "00:00:00.200",
                ["Mcp:Server:ListPageSize"] = "3",
            });
        _mcp = new RawMcp(_host.Client);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var body = await RawMcp.JsonAsync(response);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("2.0", body["jsonrpc"]!.GetValue<string>());
        Assert.Equal(code, body["error"]!["code"]!.GetValue<int>());
        return body;
    }

    private static async Task<JsonObject> ResultAsync(HttpResponseMessage response)
    {
        var body = await RawMcp.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return body["result"]!.AsObject();
    }

    [Theory]
    [InlineData("2025-11-25", "2025-11-25")]
    [InlineData("2025-06-18", "2025-06-18")]
    [InlineData("2025-03-26", "2025-03-26")]
    [InlineData("2024-11-05", "2025-11-25")]
    public async Task Initialize_negotiates_the_protocol_version(string requested, string negotiated)
    {
        var response = await _mcp.PostAsync(RawMcp.Initialize(requested, "init"));

        var result = await ResultAsync(response);
        Assert.Equal(negotiated, result["protocolVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Initialize_advertises_only_what_the_server_supports_and_issues_a_random_session_id()
    {
        var first = await _mcp.InitializeAsync();
        var second = await _mcp.InitializeAsync();
        var response = await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        var result = await ResultAsync(response);

        Assert.NotEqual(first, second);
        Assert.Matches("^[0-9a-f]{64}$", first);
        var capabilities = result["capabilities"]!.AsObject();
        Assert.Equal(["completions", "logging", "prompts", "resources", "tasks", "tools"], capabilities.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal("""{"list":{},"cancel":{},"requests":{"tools":{"call":{}}}}""", capabilities["tasks"]!.ToJsonString());
        Assert.True(capabilities["tools"]!["listChanged"]!.GetValue<bool>());
        Assert.True(capabilities["resources"]!["subscribe"]!.GetValue<bool>());
        Assert.Equal("mcpcqrs", result["serverInfo"]!["name"]!.GetValue<string>());
        Assert.NotNull(result["serverInfo"]!["title"]);
        Assert.NotNull(result["serverInfo"]!["version"]);
        Assert.Equal(McpCqrs.Application.Common.DeskIcons.Desk, result["serverInfo"]!["icons"]?[0]?["src"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(result["instructions"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Ping_answers_an_empty_result()
    {
        await _mcp.InitializeAsync();

        var result = await ResultAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":7,"method":"ping"}"""));

        Assert.Empty(result);
    }

    [Fact]
    public async Task A_disallowed_origin_is_refused_on_every_method()
    {
        await _mcp.InitializeAsync();
        const string evil = "http://evil.example.com";

        await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", origin: evil), HttpStatusCode.Forbidden, -32600);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Get, accept: "text/event-stream", origin: evil)), HttpStatusCode.Forbidden, -32600);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Delete, origin: evil)), HttpStatusCode.Forbidden, -32600);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", origin: $"http://localhost:{_host.Address.Port}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", origin: "http://127.0.0.1:9999")).StatusCode);
    }

    [Fact]
    public async Task The_protocol_version_header_may_be_missing_but_not_unsupported()
    {
        await _mcp.InitializeAsync();

        _mcp.ProtocolVersion = null;
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
        // A version the session-based era does not know makes it a stateless-era request, which lacks its _meta.
        _mcp.ProtocolVersion = "1999-01-01";
        await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""), HttpStatusCode.BadRequest, -32602);
    }

    [Fact]
    public async Task Sessions_missing_unknown_and_deleted()
    {
        await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""), HttpStatusCode.BadRequest, -32600);

        _mcp.SessionId = "0000";
        await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""), HttpStatusCode.NotFound, -32001);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Delete)), HttpStatusCode.NotFound, -32001);

        await _mcp.InitializeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _mcp.SendAsync(_mcp.Request(HttpMethod.Delete))).StatusCode);
        await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""), HttpStatusCode.NotFound, -32001);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Get, accept: "text/event-stream")), HttpStatusCode.NotFound, -32001);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Delete)), HttpStatusCode.NotFound, -32001);

        _mcp.SessionId = null;
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Delete)), HttpStatusCode.BadRequest, -32600);
    }

    [Theory]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""", 400, -32600)]
    [InlineData("", 400, -32700)]
    [InlineData("{not json", 400, -32700)]
    [InlineData("42", 400, -32600)]
    [InlineData("""{"id":1,"method":"ping"}""", 400, -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}""", 400, -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}""", 400, -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":1}""", 400, -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"no/such/method"}""", 200, -32601)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"no_such_tool"}}""", 200, -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}""", 200, -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"bm90LWEtY3Vyc29y"}}""", 200, -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"%%%"}}""", 200, -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"loud"}}""", 200, -32602)]
    public async Task Malformed_messages_get_the_JSON_RPC_error_and_HTTP_status_they_deserve(string body, int status, int code)
    {
        await _mcp.InitializeAsync();

        await ErrorAsync(await _mcp.PostAsync(body), (HttpStatusCode)status, code);
    }

    [Fact]
    public async Task Notifications_and_responses_from_the_client_are_accepted_with_202()
    {
        await _mcp.InitializeAsync();

        var notification = await _mcp.PostAsync("""{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}""");
        var response = await _mcp.PostAsync("""{"jsonrpc":"2.0","id":"srv-unknown","result":{}}""");

        Assert.Equal(HttpStatusCode.Accepted, notification.StatusCode);
        Assert.Empty(await notification.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task A_two_MiB_body_is_refused_with_413()
    {
        await _mcp.InitializeAsync();

        var (status, _, body) = await OversizedRequest.PostAsync(
            _host.Address,
            "/mcp",
            2 * 1024 * 1024,
            new Dictionary<string, string> { ["Accept"] = RawMcp.Accept, ["Mcp-Session-Id"] = _mcp.SessionId! });

        Assert.Equal(413, status);
        Assert.Equal(-32600, JsonNode.Parse(body)!["error"]!["code"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"ping"}""")).StatusCode);
    }

    [Fact]
    public async Task Accept_and_content_type_are_negotiated()
    {
        await _mcp.InitializeAsync();

        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", accept: "application/json")), HttpStatusCode.NotAcceptable, -32600);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", accept: string.Empty)), HttpStatusCode.NotAcceptable, -32600);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", contentType: "text/plain")), HttpStatusCode.UnsupportedMediaType, -32600);
        await ErrorAsync(await _mcp.SendAsync(_mcp.Request(HttpMethod.Get, accept: "application/json")), HttpStatusCode.NotAcceptable, -32600);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _mcp.SendAsync(_mcp.Request(HttpMethod.Put, "{}"))).StatusCode);
    }

    [Fact]
    public async Task Tools_list_pages_with_opaque_cursors_until_every_tool_was_seen_once()
    {
        await _mcp.InitializeAsync();
        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var parameters = cursor is null ? "{}" : new JsonObject { ["cursor"] = cursor }.ToJsonString();
            var result = await ResultAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":""" + parameters + "}"));
            var tools = result["tools"]!.AsArray();
            Assert.True(tools.Count <= 3);
            names.AddRange(tools.Select(t => t!["name"]!.GetValue<string>()));
            cursor = result["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        var catalog = _host.Services.GetRequiredService<McpCatalog>();
        Assert.Equal(catalog.Tools.Select(t => t.Name), names);
        Assert.Equal((catalog.Tools.Count + 2) / 3, pages);
    }

    [Fact]
    public async Task An_unexpected_exception_is_an_internal_error_that_reveals_nothing()
    {
        await _mcp.InitializeAsync();
        var catalog = _host.Services.GetRequiredService<McpCatalog>();
        catalog.AddTool(new ToolRegistration(typeof(TestSimpleText), "explodes", Description: "Throws", Public: true, Invoker: (_, _, _) => throw new InvalidOperationException("connection string Password=hunter2")));
        try
        {
            var error = await ErrorAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"explodes"}}"""), HttpStatusCode.OK, -32603);

            Assert.DoesNotContain("hunter2", error.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            catalog.RemoveTool("explodes");
        }
    }

    [Fact]
    public async Task A_handler_that_reports_progress_answers_with_an_SSE_stream_of_identified_events()
    {
        await _mcp.InitializeAsync();
        using var timeout = new CancellationTokenSource(Patience);

        var response = await _mcp.SendAsync(
            _mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":"p1","method":"tools/call","params":{"name":"test_tool_with_progress","_meta":{"progressToken":42}}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var priming = await sse.NextAsync(timeout.Token);
        Assert.NotNull(priming?.Id);
        Assert.Equal(string.Empty, priming!.Value.Data);
        Assert.NotNull(sse.Retry);
        var progress = new List<double>();
        JsonNode message;
        do
        {
            (var id, message) = await sse.NextMessageAsync(timeout.Token);
            Assert.False(string.IsNullOrEmpty(id));
            if (message["method"]?.GetValue<string>() == NotificationMethods.ProgressNotification)
            {
                Assert.Equal(42, message["params"]!["progressToken"]!.GetValue<int>());
                progress.Add(message["params"]!["progress"]!.GetValue<double>());
            }
        }
        while (message["result"] is null);

        Assert.Equal([0d, 50d, 100d], progress);
        Assert.Equal("p1", message["id"]!.GetValue<string>());
        Assert.Null(await sse.NextAsync(timeout.Token));
    }

    [Fact]
    public async Task A_plain_call_answers_with_JSON_not_a_stream()
    {
        await _mcp.InitializeAsync();

        var result = await ResultAsync(await _mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text"}}"""));

        Assert.Equal("This is a simple text response for testing.", result["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_a_running_call_cancels_its_handler()
    {
        await _mcp.InitializeAsync();
        using var timeout = new CancellationTokenSource(Patience);

        // test_sampling waits for the client's answer to its sampling request: it runs until cancelled.
        var response = await _mcp.SendAsync(
            _mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"hi"}}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var (_, request) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal("sampling/createMessage", request["method"]!.GetValue<string>());

        var cancel = await _mcp.PostAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99,"reason":"user gave up"}}""");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var (_, answer) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal(99, answer["id"]!.GetValue<int>());
        Assert.Equal(-32800, answer["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_GET_stream_delivers_notifications_with_keep_alives_and_replays_what_a_dropped_client_missed()
    {
        var sessionId = await _mcp.InitializeAsync();
        var notifier = _host.Services.GetRequiredService<IMcpNotifier>();
        using var timeout = new CancellationTokenSource(Patience);
        JsonRpcNotification Note(int n) => new() { Method = "notifications/test/n", Params = new JsonObject { ["n"] = n } };

        string firstId;
        using (var first = await _mcp.SendAsync(_mcp.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal("text/event-stream", first.Content.Headers.ContentType?.MediaType);
            var stream = await first.Content.ReadAsStreamAsync(timeout.Token);
            await ExpectKeepAliveAsync(stream, timeout.Token);
            using var sse = new SseReader(stream);
            await notifier.NotifyAsync(sessionId, Note(1), timeout.Token);
            var (id, message) = await sse.NextMessageAsync(timeout.Token);
            Assert.Equal(1, message["params"]!["n"]!.GetValue<int>());
            firstId = id!;
        }

        // The client is gone; these are kept for it.
        for (var n = 2; n <= 4; n++)
        {
            Assert.True(await notifier.NotifyAsync(sessionId, Note(n), timeout.Token));
        }

        var resume = _mcp.Request(HttpMethod.Get, accept: "text/event-stream");
        resume.Headers.TryAddWithoutValidation("Last-Event-ID", firstId);
        using var second = await _mcp.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        using var replayed = new SseReader(await second.Content.ReadAsStreamAsync(timeout.Token));
        var received = new List<int>();
        for (var n = 2; n <= 5; n++)
        {
            if (n == 5)
            {
                await notifier.NotifyAsync(sessionId, Note(5), timeout.Token);
            }

            received.Add((await replayed.NextMessageAsync(timeout.Token)).Message["params"]!["n"]!.GetValue<int>());
        }

        Assert.Equal([2, 3, 4, 5], received);
    }

    [Fact]
    public async Task A_Last_Event_ID_that_is_not_ours_is_a_400()
    {
        await _mcp.InitializeAsync();
        var request = _mcp.Request(HttpMethod.Get, accept: "text/event-stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "garbage");

        await ErrorAsync(await _mcp.SendAsync(request), HttpStatusCode.BadRequest, -32600);
    }

    private static async Task ExpectKeepAliveAsync(Stream stream, CancellationToken cancellationToken)
    {
        // The first bytes are the retry hint; with a 200 ms keep-alive a comment follows while nothing happens.
        var text = string.Empty;
        var buffer = new byte[256];
        while (!text.Contains(": keep-alive", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            Assert.True(read > 0, "the stream ended before a keep-alive arrived");
            text += System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }

        Assert.StartsWith("retry: ", text, StringComparison.Ordinal);
    }
}
