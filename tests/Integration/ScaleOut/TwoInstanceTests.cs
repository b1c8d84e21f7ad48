using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Two host instances sharing one PostgreSQL database and one Redis, as behind a plain load balancer: a session of
/// the 2025-11-25 era opened on one is served by the other; stateless requests go to either, and an
/// input_required round started on one completes on the other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTests(PostgresServer postgres) : IAsyncLifetime
{
    private HostPair _pair = null!;
    private TestHost _a = null!;
    private TestHost _b = null!;

    public async Task InitializeAsync()
    {
        _pair = await HostPair.StartAsync(postgres, services => services.AddConformanceFixtures());
        (_a, _b) = (_pair.A, _pair.B);
    }

    public Task DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task A_session_opened_on_one_instance_is_served_and_ended_across_both()
    {
        var onA = new RawMcp(_a.Client);
        var sessionId = await onA.InitializeAsync();
        var onB = new RawMcp(_b.Client) { SessionId = sessionId };

        var call = await onB.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_ticket","arguments":{"id":1}}}""");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal(1, (await RawMcp.JsonAsync(call))["result"]!["structuredContent"]!["id"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await onA.SendAsync(onA.Request(HttpMethod.Delete))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await onB.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"ping"}""")).StatusCode);
    }

    [Fact]
    public async Task Stateless_requests_are_answered_by_either_instance_and_an_input_round_crosses_them()
    {
        const string tool = "test_input_required_result_request_state";
        static HttpRequestMessage Call(JsonObject parameters, object id)
        {
            parameters["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
                ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject() },
            };
            var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonValue.Create(id), ["method"] = "tools/call", ["params"] = parameters };
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Accept", RawMcp.Accept);
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2026-07-28");
            request.Headers.TryAddWithoutValidation("Mcp-Method", "tools/call");
            request.Headers.TryAddWithoutValidation("Mcp-Name", parameters["name"]!.GetValue<string>());
            return request;
        }

        foreach (var host in (TestHost[])[_a, _b])
        {
            var read = await host.Client.SendAsync(Call(new JsonObject { ["name"] = "get_ticket", ["arguments"] = new JsonObject { ["id"] = 2 } }, 1));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.False(read.Headers.Contains("Mcp-Session-Id"));
        }

        var first = await RawMcp.JsonAsync(await _a.Client.SendAsync(Call(new JsonObject { ["name"] = tool, ["arguments"] = new JsonObject() }, 2)));
        Assert.Equal("input_required", first["result"]!["resultType"]!.GetValue<string>());
        var state = first["result"]!["requestState"]!.GetValue<string>();

        var retry = new JsonObject
        {
            ["name"] = tool,
            ["arguments"] = new JsonObject(),
            ["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["ok"] = true } } },
            ["requestState"] = state,
        };
        var second = await RawMcp.JsonAsync(await _b.Client.SendAsync(Call(retry, 3)));

        Assert.Equal("complete", second["result"]!["resultType"]!.GetValue<string>());
        Assert.Contains("state-ok", second["result"]!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notification_from_one_instance_reaches_a_stream_on_the_other_and_a_resume_on_either_loses_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var onA = new RawMcp(_a.Client);
        var sessionId = await onA.InitializeAsync();
        var notifierOnB = _b.Services.GetRequiredService<McpCqrs.Mcp.Context.IMcpNotifier>();
        static ModelContextProtocol.Protocol.JsonRpcNotification Note(int n) =>
            new() { Method = "notifications/test/n", Params = new JsonObject { ["n"] = n } };

        string lastId;
        using (var stream = await onA.SendAsync(onA.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead))
        {
            using var sse = new SseReader(await stream.Content.ReadAsStreamAsync(timeout.Token));
            Assert.True(await notifierOnB.NotifyAsync(sessionId, Note(1), timeout.Token));
            var (id, message) = await sse.NextMessageAsync(timeout.Token);
            Assert.Equal(1, message["params"]!["n"]!.GetValue<int>());
            lastId = id!;
        }

        Assert.True(await notifierOnB.NotifyAsync(sessionId, Note(2), timeout.Token));
        Assert.True(await notifierOnB.NotifyAsync(sessionId, Note(3), timeout.Token));
        var onB = new RawMcp(_b.Client) { SessionId = sessionId };
        var resume = onB.Request(HttpMethod.Get, accept: "text/event-stream");
        resume.Headers.TryAddWithoutValidation("Last-Event-ID", lastId);
        using var resumed = await onB.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        using var replay = new SseReader(await resumed.Content.ReadAsStreamAsync(timeout.Token));

        Assert.Equal(2, (await replay.NextMessageAsync(timeout.Token)).Message["params"]!["n"]!.GetValue<int>());
        Assert.Equal(3, (await replay.NextMessageAsync(timeout.Token)).Message["params"]!["n"]!.GetValue<int>());
        var notifierOnA = _a.Services.GetRequiredService<McpCqrs.Mcp.Context.IMcpNotifier>();
        Assert.True(await notifierOnA.NotifyAsync(sessionId, Note(4), timeout.Token));
        Assert.Equal(4, (await replay.NextMessageAsync(timeout.Token)).Message["params"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_broadcast_on_one_instance_reaches_the_streams_of_both_once_each_in_order()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var onA = new RawMcp(_a.Client);
        var onB = new RawMcp(_b.Client);
        await onA.InitializeAsync();
        await onB.InitializeAsync();
        using var streamA = await onA.SendAsync(onA.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var streamB = await onB.SendAsync(onB.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var sseA = new SseReader(await streamA.Content.ReadAsStreamAsync(timeout.Token));
        using var sseB = new SseReader(await streamB.Content.ReadAsStreamAsync(timeout.Token));
        var notifierOnA = _a.Services.GetRequiredService<McpCqrs.Mcp.Context.IMcpNotifier>();

        for (var n = 1; n <= 3; n++)
        {
            await notifierOnA.BroadcastAsync(new() { Method = "notifications/test/all", Params = new JsonObject { ["n"] = n } }, timeout.Token);
        }

        // Once each and in order: a second copy of a broadcast would come before the next one.
        foreach (var sse in (SseReader[])[sseA, sseB])
        {
            for (var n = 1; n <= 3; n++)
            {
                Assert.Equal(n, (await sse.NextMessageAsync(timeout.Token)).Message["params"]!["n"]!.GetValue<int>());
            }
        }
    }
}
