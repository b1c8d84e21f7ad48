using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>What 2026-07-28 results carry (digest part A, rules 10–16) and what the modern transport never sends.</summary>
public sealed class StatelessResultTests(StatelessHost fixture) : IClassFixture<StatelessHost>
{
    private readonly StatelessHttp _mcp = new(fixture.Host.Client);

    /// <summary>One request of each kind that completes: method → params.</summary>
    private static JsonObject Completing(string method) => StatelessWire.Request(method, method switch
    {
        "tools/call" => new JsonObject { ["name"] = "test_simple_text", ["arguments"] = new JsonObject() },
        "prompts/get" => new JsonObject { ["name"] = "test_prompt_with_arguments", ["arguments"] = new JsonObject { ["arg1"] = "a", ["arg2"] = "b" } },
        "resources/read" => new JsonObject { ["uri"] = "test://static-text" },
        "completion/complete" => new JsonObject
        {
            ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = "test_prompt_with_arguments" },
            ["argument"] = new JsonObject { ["name"] = "arg1", ["value"] = "test" },
        },
        _ => new JsonObject(),
    }, "res-" + method);

    [Theory]
    [InlineData("server/discover")]
    [InlineData("tools/list")]
    [InlineData("tools/call")]
    [InlineData("prompts/list")]
    [InlineData("prompts/get")]
    [InlineData("resources/list")]
    [InlineData("resources/templates/list")]
    [InlineData("resources/read")]
    [InlineData("completion/complete")]
    public async Task Every_complete_result_has_resultType_complete_and_the_server_identity(string method)
    {
        var reply = await _mcp.CallAsync(Completing(method));

        var result = Expect.Complete(reply, "res-" + method);
        var serverInfo = Assert.IsType<JsonObject>(result["_meta"]?[StatelessWire.ServerInfoKey]);
        Assert.False(string.IsNullOrEmpty(serverInfo["name"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(serverInfo["version"]?.GetValue<string>()));
        Assert.False(reply.Headers.Contains("Mcp-Session-Id"), "modern responses carry no session id");
    }

    [Fact]
    public async Task Server_discover_names_the_versions_capabilities_and_cache_hints()
    {
        var result = Expect.Complete(await _mcp.CallAsync(StatelessWire.Request("server/discover", id: 1)), 1);

        var versions = Assert.IsType<JsonArray>(result["supportedVersions"]).Select(v => v!.GetValue<string>()).ToList();
        Assert.Contains(StatelessWire.Version, versions);
        var capabilities = Assert.IsType<JsonObject>(result["capabilities"]);
        Assert.IsType<JsonObject>(capabilities["tools"]);
        Assert.IsType<JsonObject>(capabilities["prompts"]);
        Assert.IsType<JsonObject>(capabilities["resources"]);
        AssertCacheHints(result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Server_discover_offers_mcp_apps_to_a_client_that_declares_them_and_gives_the_whole_server_info(bool declares)
    {
        var capabilities = StatelessWire.AllCapabilities();
        if (declares)
        {
            capabilities["extensions"] = new JsonObject { ["io.modelcontextprotocol/ui"] = new JsonObject { ["mimeTypes"] = new JsonArray("text/html;profile=mcp-app") } };
        }

        var result = Expect.Complete(await _mcp.CallAsync(StatelessWire.Request("server/discover", id: 1, meta: StatelessWire.Meta(capabilities))), 1);

        Assert.Equal(declares, result["capabilities"]?["extensions"]?["io.modelcontextprotocol/ui"] is JsonObject);
        var serverInfo = Assert.IsType<JsonObject>(result["_meta"]?[StatelessWire.ServerInfoKey]);
        Assert.Equal(McpCqrs.Application.Common.DeskIcons.Desk, serverInfo["icons"]?[0]?["src"]?.GetValue<string>());
    }

    [Fact]
    public async Task Each_request_is_read_with_its_own_client_capabilities_and_info()
    {
        // The server keeps the capabilities it read last and reuses them while a request carries the same bytes:
        // requests that alternate between two clients must each still be answered as their own client.
        var apps = StatelessWire.AllCapabilities();
        apps["extensions"] = new JsonObject { ["io.modelcontextprotocol/ui"] = new JsonObject { ["mimeTypes"] = new JsonArray("text/html;profile=mcp-app") } };
        var withApps = StatelessWire.Meta(apps);
        var without = StatelessWire.Meta(StatelessWire.AllCapabilities());
        var otherInfo = StatelessWire.Meta((JsonObject)apps.DeepClone());
        otherInfo[StatelessWire.ClientInfoKey] = new JsonObject { ["name"] = "another", ["version"] = "2" };

        foreach (var (meta, declares, id) in new[] { (withApps, true, 1), (withApps, true, 2), (without, false, 3), (withApps, true, 4), (otherInfo, true, 5), (without, false, 6) })
        {
            var result = Expect.Complete(await _mcp.CallAsync(StatelessWire.Request("server/discover", id: id, meta: (JsonObject)meta.DeepClone())), id);
            Assert.Equal(declares, result["capabilities"]?["extensions"]?["io.modelcontextprotocol/ui"] is JsonObject);
        }
    }

    [Theory]
    [InlineData("tools/list", "tools")]
    [InlineData("prompts/list", "prompts")]
    [InlineData("resources/list", "resources")]
    [InlineData("resources/templates/list", "resourceTemplates")]
    public async Task The_lists_carry_cache_hints(string method, string items)
    {
        var result = Expect.Complete(await _mcp.CallAsync(Completing(method)), "res-" + method);

        Assert.IsType<JsonArray>(result[items]);
        AssertCacheHints(result);
    }

    [Fact]
    public async Task A_resource_read_carries_cache_hints()
    {
        var result = Expect.Complete(await _mcp.CallAsync(Completing("resources/read")), "res-resources/read");

        Assert.Equal("This is the content of the static text resource.", result["contents"]?[0]?["text"]?.GetValue<string>());
        AssertCacheHints(result);
    }

    [Theory]
    [InlineData("tools/call")]
    [InlineData("prompts/get")]
    [InlineData("completion/complete")]
    public async Task Results_that_are_not_cacheable_carry_no_cache_hints(string method)
    {
        var result = Expect.Complete(await _mcp.CallAsync(Completing(method)), "res-" + method);

        Assert.False(result.ContainsKey("ttlMs"), result.ToJsonString());
        Assert.False(result.ContainsKey("cacheScope"), result.ToJsonString());
    }

    [Fact]
    public async Task Reading_an_unknown_resource_is_invalid_params_with_its_uri_and_never_empty_contents()
    {
        const string uri = "test://no-such-resource";

        var reply = await _mcp.CallAsync(StatelessWire.Request("resources/read", new JsonObject { ["uri"] = uri }, "unknown-1"));

        Assert.DoesNotContain(reply.Messages, m => m.ContainsKey("result"));
        var error = Expect.Error(reply, HttpStatusCode.OK, -32602, "unknown-1");
        Assert.Equal(uri, error["data"]?["uri"]?.GetValue<string>());
    }

    [Fact]
    public async Task The_same_unknown_resource_in_a_2025_11_25_session_keeps_its_own_code()
    {
        var session = new RawMcp(fixture.Host.Client);
        await session.InitializeAsync();

        using var response = await session.PostAsync("""{"jsonrpc":"2.0","id":"legacy-1","method":"resources/read","params":{"uri":"test://no-such-resource"}}""");

        var body = await RawMcp.JsonAsync(response);
        Assert.Equal("legacy-1", body["id"]?.GetValue<string>());
        Assert.Equal(-32002, body["error"]?["code"]?.GetValue<int>());
    }

    [Fact]
    public async Task Stateless_responses_never_carry_a_session_id()
    {
        JsonObject[] requests =
        [
            StatelessWire.Request("server/discover", id: 1),
            StatelessWire.Call("test_simple_text", id: 2),
            StatelessWire.Call("test_input_required_result_elicitation", id: 3),
            StatelessWire.Request("ping", id: 4),
            StatelessWire.Request("tools/list", id: 5, meta: StatelessWire.Meta(version: "2099-01-01")),
        ];

        foreach (var request in requests)
        {
            using var response = await _mcp.SendAsync(request);
            Assert.False(response.Headers.Contains("Mcp-Session-Id"), $"{request["method"]} answered with a session id");
        }
    }

    [Fact]
    public async Task A_modern_notification_is_accepted_with_202_and_no_body()
    {
        var notification = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "notifications/cancelled",
            ["params"] = new JsonObject { ["requestId"] = "gone", ["_meta"] = StatelessWire.Meta() },
        };

        using var response = await _mcp.SendAsync(notification);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Without_a_log_level_a_tool_sends_no_log_messages()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_logging_tool", id: "log-0"));

        Assert.DoesNotContain(reply.Messages, m => m["method"]?.GetValue<string>() == "notifications/message");
        Assert.Single(reply.Messages);
        Assert.Equal("Logging tool completed.", Expect.Text(Expect.Complete(reply, "log-0")));
    }

    [Fact]
    public async Task With_a_log_level_the_log_messages_come_on_the_request_stream_before_the_result()
    {
        var meta = StatelessWire.Meta();
        meta[StatelessWire.LogLevelKey] = "debug";

        var reply = await _mcp.CallAsync(StatelessWire.Call("test_logging_tool", id: "log-1", meta: meta));

        Assert.Equal("text/event-stream", reply.MediaType);
        Assert.False(reply.HasEventIds, "modern streams carry no event ids");
        Assert.Equal("no", reply.Headers.TryGetValues("X-Accel-Buffering", out var buffering) ? buffering.Single() : null);
        Assert.Equal(4, reply.Messages.Count);
        var logs = reply.Messages.Take(3).ToList();
        Assert.All(logs, m => Assert.Equal("notifications/message", m["method"]?.GetValue<string>()));
        Assert.All(logs, m => Assert.False(m.ContainsKey("id"), "log messages are notifications"));
        Assert.Equal(["info", "debug", "info"], logs.Select(m => m["params"]?["level"]?.GetValue<string>()));
        Assert.Equal(
            ["Logging tool started", "Logging tool working", "Logging tool finished"],
            logs.Select(m => m["params"]?["data"]?.GetValue<string>()));
        Assert.Equal("Logging tool completed.", Expect.Text(Expect.Complete(reply, "log-1")));
    }

    [Fact]
    public async Task A_log_level_filters_the_messages_below_it()
    {
        var meta = StatelessWire.Meta();
        meta[StatelessWire.LogLevelKey] = "info";

        var reply = await _mcp.CallAsync(StatelessWire.Call("test_logging_tool", id: "log-2", meta: meta));

        var logs = reply.Messages.Where(m => m["method"]?.GetValue<string>() == "notifications/message").ToList();
        Assert.Equal(["info", "info"], logs.Select(m => m["params"]?["level"]?.GetValue<string>()));
        Expect.Complete(reply, "log-2");
    }

    [Fact]
    public async Task Progress_goes_on_the_request_stream_increasing_before_the_result()
    {
        var meta = StatelessWire.Meta();
        meta["progressToken"] = "p-1";

        var reply = await _mcp.CallAsync(StatelessWire.Call("test_tool_with_progress", id: "prog-1", meta: meta));

        Assert.Equal("text/event-stream", reply.MediaType);
        Assert.False(reply.HasEventIds, "modern streams carry no event ids");
        var progress = reply.Messages.Where(m => m["method"]?.GetValue<string>() == "notifications/progress").ToList();
        Assert.True(progress.Count >= 3, $"at least 3 progress notifications expected: {reply}");
        Assert.All(progress, p => Assert.Equal("p-1", p["params"]?["progressToken"]?.GetValue<string>()));
        var values = progress.Select(p => p["params"]!["progress"]!.GetValue<double>()).ToList();
        Assert.Equal(values.Order(), values);
        Assert.Equal(values.Count, values.Distinct().Count());
        Expect.Complete(reply, "prog-1");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task A_GET_or_DELETE_with_a_modern_version_and_no_session_is_405(string method)
    {
        var raw = new RawMcp(fixture.Host.Client) { ProtocolVersion = StatelessWire.Version };

        using var response = await raw.SendAsync(raw.Request(new HttpMethod(method), accept: "text/event-stream"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    private static void AssertCacheHints(JsonObject result)
    {
        var ttl = Assert.IsAssignableFrom<JsonValue>(result["ttlMs"]);
        Assert.Equal(JsonValueKind.Number, ttl.GetValueKind());
        Assert.True(ttl.TryGetValue<long>(out var ms) && ms >= 0, $"ttlMs must be an integer ≥ 0: {ttl.ToJsonString()}");
        Assert.Contains(result["cacheScope"]?.GetValue<string>(), (string[])["public", "private"]);
    }
}
