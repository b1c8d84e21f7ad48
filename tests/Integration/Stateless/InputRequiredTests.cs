using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// Multi round-trip requests (digest rules 17–20): <c>input_required</c>, the retry with <c>inputResponses</c>,
/// and a <c>requestState</c> that only its own caller, method, target and arguments may use, and only in time.
/// </summary>
public sealed class InputRequiredTests(StatelessHost fixture) : IClassFixture<StatelessHost>
{
    private const string RequestStateTool = "test_input_required_result_request_state";
    private const string TamperedStateTool = "test_input_required_result_tampered_state";

    private static readonly JsonObject Accepted = new() { ["action"] = "accept", ["content"] = new JsonObject { ["ok"] = true } };

    /// <summary>First round of <paramref name="tool"/> as <paramref name="user"/>: returns its requestState.</summary>
    private async Task<string> StateOfAsync(string? user, string tool = RequestStateTool, JsonObject? arguments = null)
    {
        var reply = await fixture.As(user).CallAsync(StatelessWire.Call(tool, arguments, "first"));
        var result = Expect.InputRequired(reply, "first");
        return result["requestState"]!.GetValue<string>();
    }

    private static JsonObject Retry(string tool, string state, JsonNode id, JsonObject? responses = null, JsonObject? arguments = null)
    {
        var message = StatelessWire.Call(tool, arguments, id);
        message["params"]!["inputResponses"] = responses ?? new JsonObject { ["confirm"] = Accepted.DeepClone() };
        message["params"]!["requestState"] = state;
        return message;
    }

    private static void AssertRefused(Reply reply, JsonNode id)
    {
        Assert.DoesNotContain(reply.Messages, m => m.ContainsKey("result"));
        Expect.Error(reply, reply.Status, -32602, id);
    }

    [Fact]
    public async Task A_request_state_round_trip_completes_with_the_state_intact()
    {
        var alice = fixture.As("alice");

        var first = Expect.InputRequired(await alice.CallAsync(StatelessWire.Call(RequestStateTool, id: 1)), 1);
        var confirm = Assert.IsType<JsonObject>(first["inputRequests"]?["confirm"]);
        Assert.Equal("elicitation/create", confirm["method"]?.GetValue<string>());
        Assert.IsType<JsonObject>(confirm["params"]?["requestedSchema"]);
        var state = first["requestState"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(state));
        Assert.IsType<JsonObject>(first["_meta"]?[StatelessWire.ServerInfoKey]);
        Assert.False(first.ContainsKey("ttlMs"), "input_required results carry no cache hints");
        Assert.False(first.ContainsKey("cacheScope"), "input_required results carry no cache hints");

        var second = await alice.CallAsync(Retry(RequestStateTool, state!, 2));

        var text = Expect.Text(Expect.Complete(second, 2));
        Assert.Contains("state-ok", text, StringComparison.Ordinal);
        Assert.Contains("true", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_is_accepted_once_and_the_same_retry_sent_again_is_refused_as_already_used()
    {
        var alice = fixture.As("alice");
        var state = await StateOfAsync("alice");

        var first = await alice.CallAsync(Retry(RequestStateTool, state, "once-1"));
        var replay = await alice.CallAsync(Retry(RequestStateTool, state, "once-1"));
        var replayWithAnotherId = await alice.CallAsync(Retry(RequestStateTool, state, "once-2"));

        Assert.Contains("state-ok", Expect.Text(Expect.Complete(first, "once-1")), StringComparison.Ordinal);
        AssertRefused(replay, "once-1");
        AssertRefused(replayWithAnotherId, "once-2");
        Assert.Contains("already used", replay.Final["error"]?["message"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_round_request_completes_with_a_fresh_state_each_round_and_no_round_can_be_replayed()
    {
        const string tool = "test_input_required_result_multi_round";
        var alice = fixture.As("alice");
        var step1 = new JsonObject { ["step1"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["value"] = "one" } } };
        var steps = new JsonObject
        {
            ["step1"] = step1["step1"]!.DeepClone(),
            ["step2"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["value"] = "two" } },
        };

        var round1 = Expect.InputRequired(await alice.CallAsync(StatelessWire.Call(tool, id: "mr-1")), "mr-1");
        var state1 = round1["requestState"]!.GetValue<string>();
        var round2 = Expect.InputRequired(await alice.CallAsync(Retry(tool, state1, "mr-2", step1.DeepClone().AsObject())), "mr-2");
        var state2 = round2["requestState"]!.GetValue<string>();
        var round3 = Expect.Complete(await alice.CallAsync(Retry(tool, state2, "mr-3", steps.DeepClone().AsObject())), "mr-3");

        Assert.NotEqual(state1, state2);
        Assert.IsType<JsonObject>(round2["inputRequests"]?["step2"]);
        Assert.Equal("Multi-round completed: \"two\"", Expect.Text(round3));
        AssertRefused(await alice.CallAsync(Retry(tool, state1, "mr-4", step1)), "mr-4");
        AssertRefused(await alice.CallAsync(Retry(tool, state2, "mr-5", steps)), "mr-5");
    }

    [Fact]
    public async Task Each_round_gets_a_fresh_state()
    {
        var first = await StateOfAsync("alice");
        var second = await StateOfAsync("alice");

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("a flipped byte in the sealed body")]
    [InlineData("a flipped byte in the signature")]
    [InlineData("a -TAMPERED suffix")]
    [InlineData("a truncated signature")]
    [InlineData("no signature")]
    [InlineData("not a token at all")]
    public async Task A_tampered_state_is_a_json_rpc_error_not_a_completed_call(string tampering)
    {
        var state = await StateOfAsync("alice");
        var dot = state.IndexOf('.', StringComparison.Ordinal);
        Assert.True(dot > 0, $"unexpected state shape: {state}");
        var tampered = tampering switch
        {
            "a flipped byte in the sealed body" => Flip(state, dot / 2),
            "a flipped byte in the signature" => Flip(state, dot + 1 + ((state.Length - dot - 1) / 2)),
            "a -TAMPERED suffix" => state + "-TAMPERED",
            "a truncated signature" => state[..^4],
            "no signature" => state[..dot],
            _ => "not-a-state",
        };

        var reply = await fixture.As("alice").CallAsync(Retry(RequestStateTool, tampered, "t-1"));

        AssertRefused(reply, "t-1");
    }

    [Theory]
    [InlineData("alice", "bob")]
    [InlineData("alice", null)]
    [InlineData(null, "mallory")]
    public async Task A_state_used_by_another_principal_is_refused(string? owner, string? other)
    {
        var state = await StateOfAsync(owner);

        var stolen = await fixture.As(other).CallAsync(Retry(RequestStateTool, state, 3));
        var own = await fixture.As(owner).CallAsync(Retry(RequestStateTool, state, 4));

        AssertRefused(stolen, 3);
        Assert.Contains("state-ok", Expect.Text(Expect.Complete(own, 4)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_replayed_on_another_tool_is_refused()
    {
        var state = await StateOfAsync("alice", TamperedStateTool);

        var reply = await fixture.As("alice").CallAsync(Retry(RequestStateTool, state, 5));

        AssertRefused(reply, 5);
    }

    [Fact]
    public async Task A_state_replayed_with_other_arguments_is_refused()
    {
        var state = await StateOfAsync("alice");

        var reply = await fixture.As("alice").CallAsync(Retry(RequestStateTool, state, 6, arguments: new JsonObject { ["extra"] = 1 }));

        AssertRefused(reply, 6);
    }

    [Fact]
    public async Task A_state_replayed_on_another_method_with_the_same_name_and_arguments_is_refused()
    {
        // The prompt has the tool's name and asks the same question: only the method differs.
        var mcp = fixture.As("alice");
        var state = await StateOfAsync("alice");
        JsonObject Get(JsonNode id, string? requestState)
        {
            var message = StatelessWire.Request("prompts/get", new JsonObject { ["name"] = StatelessTestFixtures.MirrorPromptName, ["arguments"] = new JsonObject() }, id);
            message["params"]!["inputResponses"] = new JsonObject { [StatelessTestFixtures.ConfirmKey] = Accepted.DeepClone() };
            if (requestState is not null)
            {
                message["params"]!["requestState"] = requestState;
            }

            return message;
        }

        var replayed = await mcp.CallAsync(Get(7, state));
        var own = await mcp.CallAsync(Get(8, null));

        AssertRefused(replayed, 7);
        Assert.Equal("mirror prompt completed", Expect.Complete(own, 8)["messages"]?[0]?["content"]?["text"]?.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_state_is_refused()
    {
        var lifetime = fixture.Host.Services.GetRequiredService<IOptions<McpCqrs.Mcp.McpProtocolOptions>>().Value.RequestStateLifetime;
        var early = await StateOfAsync("alice");
        var late = await StateOfAsync("alice");

        // Just before the end of its lifetime a state still works...
        fixture.Clock.Advance(lifetime - TimeSpan.FromSeconds(5));
        var inTime = await fixture.As("alice").CallAsync(Retry(RequestStateTool, early, 8));

        // ...and just after it, it does not.
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        var tooLate = await fixture.As("alice").CallAsync(Retry(RequestStateTool, late, 9));

        Assert.Contains("state-ok", Expect.Text(Expect.Complete(inTime, 8)), StringComparison.Ordinal);
        AssertRefused(tooLate, 9);

        // A state issued at the new time works again.
        var fresh = await StateOfAsync("alice");
        Assert.Contains("state-ok", Expect.Text(Expect.Complete(await fixture.As("alice").CallAsync(Retry(RequestStateTool, fresh, 10)), 10)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_without_the_answer_gets_input_required_again()
    {
        var state = await StateOfAsync("alice");

        var reply = await fixture.As("alice").CallAsync(Retry(RequestStateTool, state, 11, new JsonObject { ["something_else"] = Accepted.DeepClone() }));

        var again = Expect.InputRequired(reply, 11);
        Assert.IsType<JsonObject>(again["inputRequests"]?["confirm"]);
    }

    [Theory]
    [InlineData("\"yes\"")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("true")]
    public async Task An_answer_that_is_not_an_object_never_completes_the_call(string answer)
    {
        var state = await StateOfAsync("alice");

        var reply = await fixture.As("alice").CallAsync(Retry(RequestStateTool, state, 12, new JsonObject { ["confirm"] = JsonNode.Parse(answer) }));

        Assert.DoesNotContain(reply.Messages, m => m["result"]?["resultType"]?.GetValue<string>() == "complete");
        Assert.Equal(12, reply.Final["id"]?.GetValue<int>());
    }

    [Fact]
    public async Task A_null_inputResponses_never_completes_the_call()
    {
        var state = await StateOfAsync("alice");
        var message = Retry(RequestStateTool, state, 13);
        message["params"]!["inputResponses"] = null;

        var reply = await fixture.As("alice").CallAsync(message);

        Assert.DoesNotContain(reply.Messages, m => m["result"]?["resultType"]?.GetValue<string>() == "complete");
        Assert.Equal(13, reply.Final["id"]?.GetValue<int>());
    }

    [Fact]
    public async Task A_prompt_may_ask_for_input_and_answers_on_the_retry()
    {
        var mcp = fixture.As("alice");
        var get = StatelessWire.Request("prompts/get", new JsonObject { ["name"] = "test_input_required_result_prompt", ["arguments"] = new JsonObject() }, 14);

        var first = Expect.InputRequired(await mcp.CallAsync(get), 14);
        Assert.Equal("elicitation/create", first["inputRequests"]?["user_context"]?["method"]?.GetValue<string>());

        var retry = StatelessWire.Request("prompts/get", new JsonObject { ["name"] = "test_input_required_result_prompt", ["arguments"] = new JsonObject() }, 15);
        retry["params"]!["inputResponses"] = new JsonObject { ["user_context"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["context"] = "billing" } } };
        if (first["requestState"] is JsonValue state)
        {
            retry["params"]!["requestState"] = state.DeepClone();
        }

        var result = Expect.Complete(await mcp.CallAsync(retry), 15);
        Assert.Contains("billing", result["messages"]?[0]?["content"]?["text"]?.GetValue<string>() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resource_read_may_ask_for_input_and_answers_on_the_retry()
    {
        var mcp = fixture.As("alice");
        var read = StatelessWire.Request("resources/read", new JsonObject { ["uri"] = StatelessTestFixtures.AskingResourceUri }, 16);

        var first = Expect.InputRequired(await mcp.CallAsync(read), 16);
        Assert.Equal("elicitation/create", first["inputRequests"]?[StatelessTestFixtures.ConfirmKey]?["method"]?.GetValue<string>());
        Assert.False(first.ContainsKey("ttlMs"), "input_required results carry no cache hints");
        Assert.False(first.ContainsKey("cacheScope"), "input_required results carry no cache hints");

        var retry = StatelessWire.Request("resources/read", new JsonObject { ["uri"] = StatelessTestFixtures.AskingResourceUri }, 17);
        retry["params"]!["inputResponses"] = new JsonObject { [StatelessTestFixtures.ConfirmKey] = Accepted.DeepClone() };
        retry["params"]!["requestState"] = first["requestState"]!.DeepClone();

        var result = Expect.Complete(await mcp.CallAsync(retry), 17);
        Assert.Equal("resource read, ok=true, state=resource", result["contents"]?[0]?["text"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_method_other_than_tools_call_prompts_get_and_resources_read_never_returns_input_required()
    {
        // The completion source asks the user; completion/complete may not turn that into input_required.
        var complete = StatelessWire.Request(
            "completion/complete",
            new JsonObject
            {
                ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = StatelessTestFixtures.AskingPromptName },
                ["argument"] = new JsonObject { ["name"] = "topic", ["value"] = "bill" },
            },
            "cc-1");

        var reply = await fixture.As("alice").CallAsync(complete);

        Assert.DoesNotContain(reply.Messages, m => m["result"]?["resultType"]?.GetValue<string>() == "input_required");
        Assert.DoesNotContain(reply.Messages, m => m["result"]?["inputRequests"] is not null);
        Expect.SameId("cc-1", reply.Final["id"]);
    }

    [Theory]
    [InlineData("sampling", "sampling/createMessage")]
    [InlineData("elicitation", "elicitation/create")]
    [InlineData("roots", "roots/list")]
    public async Task Input_is_asked_only_for_the_capabilities_the_request_declares(string capability, string method)
    {
        var meta = StatelessWire.Meta(new JsonObject { [capability] = new JsonObject() });

        var reply = await fixture.As("alice").CallAsync(StatelessWire.Call("test_input_required_result_capabilities", id: "cap-1", meta: meta));

        var result = Expect.InputRequired(reply, "cap-1");
        var request = Assert.Single(Assert.IsType<JsonObject>(result["inputRequests"]));
        Assert.Equal(method, request.Value?["method"]?.GetValue<string>());
    }

    [Fact]
    public async Task Only_sampling_declared_asks_only_for_sampling()
    {
        var meta = StatelessWire.Meta(new JsonObject { ["sampling"] = new JsonObject() });

        var reply = await fixture.As("alice").CallAsync(StatelessWire.Call("test_input_required_result_capabilities", id: "cap-2", meta: meta));

        var result = Expect.InputRequired(reply, "cap-2");
        var requests = Assert.IsType<JsonObject>(result["inputRequests"]);
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal("sampling/createMessage", r.Value?["method"]?.GetValue<string>()));
        Assert.IsType<JsonArray>(Assert.Single(requests).Value?["params"]?["messages"]);
    }

    private static string Flip(string text, int index)
    {
        var chars = text.ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}

/// <summary>
/// A retry refused by a rate limit ("retry after N s") gives its <c>requestState</c> back: the retry the error asks
/// for, with the same state, is accepted once the window allows it, and is then used up like any other.
/// </summary>
public sealed class RequestStateRateLimitTests : IAsyncLifetime
{
    private const string Tool = "test_input_required_result_request_state";

    private readonly UserClients _clients = new();
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StatelessHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:one-per-window:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:one-per-window:PermitLimit"] = "1",
            ["RateLimiting:Policies:one-per-window:Window"] = "00:00:05",
            // A tool registered in code is limited under its request's type name.
            ["RateLimiting:Bindings:TestInputRequestState:0"] = "one-per-window",
        });

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_retry_refused_by_a_rate_limit_keeps_its_state_for_the_retry_the_error_asks_for()
    {
        // The first round takes the window's one permit, so its retry is refused, unless the window turned over
        // between the two (then the attempt proves nothing and another caller tries again).
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var http = _clients.As(_host.Address, $"limited-{attempt}");
            var state = Expect.InputRequired(await http.CallAsync(StatelessWire.Call(Tool, id: "first")), "first")["requestState"]!.GetValue<string>();
            var refused = await http.CallAsync(Retry(state, "retry-0"));
            if (CodeOf(refused) != -32000)
            {
                continue;
            }

            Assert.NotNull(refused.Final["error"]?["data"]?["retryAfter"]);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            Reply retried;
            var n = 0;
            while (CodeOf(retried = await http.CallAsync(Retry(state, $"retry-{++n}"))) == -32000)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the rate limit never let the retry through: {retried}");
                await Task.Delay(250);
            }

            Assert.Contains("state-ok", Expect.Text(Expect.Complete(retried, $"retry-{n}")), StringComparison.Ordinal);
            var replay = await http.CallAsync(Retry(state, "replay"));
            Assert.Equal(-32602, CodeOf(replay));
            Assert.Contains("already used", replay.Final["error"]?["message"]?.GetValue<string>(), StringComparison.Ordinal);
            return;
        }

        Assert.Fail("Three attempts in a row met a turning window; the refusal was never exercised.");
    }

    private static int? CodeOf(Reply reply) => reply.Final["error"]?["code"]?.GetValue<int>();

    private static JsonObject Retry(string state, JsonNode id)
    {
        var message = StatelessWire.Call(Tool, null, id);
        message["params"]!["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["ok"] = true } } };
        message["params"]!["requestState"] = state;
        return message;
    }
}
