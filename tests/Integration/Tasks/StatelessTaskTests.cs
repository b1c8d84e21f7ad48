using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Stateless;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>The tasks extension (2026-07-28) on raw HTTP: shapes, lifecycle and every error rule.</summary>
public sealed class StatelessTaskTests(TaskHost host) : IClassFixture<TaskHost>
{
    private const int HeaderMismatch = -32020;
    private const int MissingCapability = -32021;

    [Fact]
    public async Task Discover_advertises_the_extension_and_no_legacy_tasks_capability()
    {
        var result = Expect.Complete(await host.StatelessWire().CallAsync(StatelessWire.Request("server/discover", meta: StatelessTasks.Meta())), 1);

        Assert.NotNull(result["capabilities"]!["extensions"]![StatelessTasks.Extension]);
        Assert.Null(result["capabilities"]!["tasks"]);
    }

    [Fact]
    public async Task A_task_is_created_flat_readable_at_once_and_completes_with_the_exact_tool_result()
    {
        var http = host.StatelessWire();
        var created = await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 1, ["label"] = "flat" });

        Assert.Equal("working", created["status"]!.GetValue<string>());
        Assert.True(created["taskId"]!.GetValue<string>().Length >= 22, "task ids carry at least 128 random bits");
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", created["createdAt"]!.GetValue<string>());
        Assert.Equal(3_600_000, created["ttlMs"]!.GetValue<long>());
        Assert.Equal(1000, created["pollIntervalMs"]!.GetValue<int>());
        foreach (var absent in new[] { "task", "ttl", "pollInterval", "result", "error", "inputRequests", "requestState" })
        {
            Assert.False(created.ContainsKey(absent), $"CreateTaskResult must not carry '{absent}': {created.ToJsonString()}");
        }

        var taskId = created["taskId"]!.GetValue<string>();
        Assert.Equal(taskId, (await StatelessTasks.GetAsync(http, taskId))["taskId"]!.GetValue<string>());

        var done = await StatelessTasks.UntilAsync(http, taskId);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal("Computed flat in 1 s.", done["result"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Null(done["result"]!["_meta"]?["io.modelcontextprotocol/related-task"]);
        Assert.False(done.ContainsKey("requestState"));
    }

    [Fact]
    public async Task Progress_of_a_task_is_its_status_message()
    {
        var http = host.StatelessWire();
        var taskId = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 3, ["label"] = "progress" }))["taskId"]!.GetValue<string>();

        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        string? message = null;
        while (message is null && DateTime.UtcNow < deadline)
        {
            message = (await StatelessTasks.GetAsync(http, taskId))["statusMessage"]?.GetValue<string>();
            await Task.Delay(50);
        }

        Assert.StartsWith("Computing progress (", message);
        await http.CallAsync(StatelessTasks.Method("tasks/cancel", taskId));
    }

    [Fact]
    public async Task Without_the_extension_an_optional_task_tool_answers_at_once_and_the_legacy_task_param_is_ignored()
    {
        var http = host.StatelessWire();
        var result = Expect.Complete(await http.CallAsync(StatelessTasks.Call("slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = "sync" }, tasks: false)), 1);
        Assert.Equal("Computed sync in 0 s.", Expect.Text(result));

        var hinted = StatelessTasks.Call("greet", new JsonObject { ["name"] = "hint" });
        hinted["params"]!["task"] = new JsonObject { ["ttl"] = 60000 };
        var greeting = Expect.Complete(await http.CallAsync(hinted), 1);
        Assert.Equal("Hello, hint!", Expect.Text(greeting));
        Assert.Null(greeting["taskId"]);
    }

    [Fact]
    public async Task A_task_only_tool_refuses_a_client_without_the_extension_with_32021_naming_it()
    {
        var error = StatelessTasks.Error(await host.StatelessWire().CallAsync(StatelessTasks.Call("failing_job", tasks: false)), HttpStatusCode.BadRequest, MissingCapability);

        Assert.NotNull(error["data"]!["requiredCapabilities"]!["extensions"]![StatelessTasks.Extension]);
    }

    [Theory]
    [InlineData("tasks/get")]
    [InlineData("tasks/update")]
    [InlineData("tasks/cancel")]
    public async Task Task_methods_without_the_extension_are_32021_before_the_task_is_looked_up(string method)
    {
        var error = StatelessTasks.Error(await host.StatelessWire().CallAsync(StatelessTasks.Method(method, "no-such-task", tasks: false)), HttpStatusCode.BadRequest, MissingCapability);

        Assert.NotNull(error["data"]!["requiredCapabilities"]!["extensions"]![StatelessTasks.Extension]);
    }

    [Theory]
    [InlineData("tasks/result")]
    [InlineData("tasks/list")]
    public async Task Methods_removed_in_2026_are_method_not_found(string method)
    {
        var reply = await host.StatelessWire().CallAsync(StatelessWire.Request(method, new JsonObject { ["taskId"] = "x" }, meta: StatelessTasks.Meta()));

        Assert.Equal(-32601, reply.Final["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_expired_and_foreign_tasks_answer_alike_with_32602()
    {
        var taskId = (await StatelessTasks.CreateAsync(host.StatelessWire("alice"), "slow_compute", new JsonObject { ["seconds"] = 30, ["label"] = "mine" }))["taskId"]!.GetValue<string>();
        var mallory = host.StatelessWire("mallory");

        foreach (var method in new[] { "tasks/get", "tasks/update", "tasks/cancel" })
        {
            var foreign = StatelessTasks.Error(await mallory.CallAsync(StatelessTasks.Method(method, taskId)), HttpStatusCode.OK, -32602);
            var unknown = StatelessTasks.Error(await mallory.CallAsync(StatelessTasks.Method(method, "tasks-nonexistent")), HttpStatusCode.OK, -32602);
            Assert.Equal(unknown["message"]!.GetValue<string>().Replace("tasks-nonexistent", "ID"), foreign["message"]!.GetValue<string>().Replace(taskId, "ID"));
        }

        // Mallory's cancel did nothing: the task still works for its owner.
        var alice = host.StatelessWire("alice");
        Assert.Equal("working", (await StatelessTasks.GetAsync(alice, taskId))["status"]!.GetValue<string>());
        await alice.CallAsync(StatelessTasks.Method("tasks/cancel", taskId));
    }

    [Fact]
    public async Task The_Mcp_Name_header_must_carry_the_task_id()
    {
        var http = host.StatelessWire();
        var taskId = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 30, ["label"] = "routing" }))["taskId"]!.GetValue<string>();

        StatelessTasks.Error(await http.CallAsync(StatelessTasks.Method("tasks/get", taskId), new Dictionary<string, string?> { ["Mcp-Name"] = "another-task" }), HttpStatusCode.BadRequest, HeaderMismatch);
        StatelessTasks.Error(await http.CallAsync(StatelessTasks.Method("tasks/get", taskId), new Dictionary<string, string?> { ["Mcp-Name"] = null }), HttpStatusCode.BadRequest, HeaderMismatch);
        StatelessTasks.Error(await http.CallAsync(StatelessTasks.Method("tasks/get", taskId), new Dictionary<string, string?> { ["Mcp-Method"] = "tasks/cancel" }), HttpStatusCode.BadRequest, HeaderMismatch);
        Assert.Equal(taskId, (await StatelessTasks.GetAsync(http, taskId))["taskId"]!.GetValue<string>());
        Expect.Complete(await http.CallAsync(StatelessTasks.Method("tasks/get", taskId), new Dictionary<string, string?> { ["Mcp-Name"] = StatelessWire.Base64Sentinel(taskId) }), 1);
        await http.CallAsync(StatelessTasks.Method("tasks/cancel", taskId));
    }

    [Fact]
    public async Task Cancel_ends_the_task_at_once_with_an_empty_ack_and_stays_an_empty_ack_afterwards()
    {
        var http = host.StatelessWire();
        var taskId = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "cancel" }))["taskId"]!.GetValue<string>();

        for (var i = 0; i < 2; i++)
        {
            var ack = Expect.Complete(await http.CallAsync(StatelessTasks.Method("tasks/cancel", taskId)), 1);
            Assert.DoesNotContain(ack, p => p.Key is not ("resultType" or "_meta"));
        }

        var task = await StatelessTasks.GetAsync(http, taskId);
        Assert.Equal("cancelled", task["status"]!.GetValue<string>());
        Assert.False(task.ContainsKey("result"));
    }

    [Fact]
    public async Task A_tool_error_completes_the_task_and_a_protocol_error_fails_it()
    {
        var http = host.StatelessWire();
        var toolError = await StatelessTasks.UntilAsync(http, (await StatelessTasks.CreateAsync(http, "failing_job"))["taskId"]!.GetValue<string>());
        var protocolError = await StatelessTasks.UntilAsync(http, (await StatelessTasks.CreateAsync(http, "protocol_error_job"))["taskId"]!.GetValue<string>());

        Assert.Equal("completed", toolError["status"]!.GetValue<string>());
        Assert.True(toolError["result"]!["isError"]!.GetValue<bool>());
        Assert.Equal("failed", protocolError["status"]!.GetValue<string>());
        Assert.Equal(-32603, protocolError["error"]!["code"]!.GetValue<int>());
        Assert.Equal("The job hit a protocol error.", protocolError["error"]!["message"]!.GetValue<string>());
        Assert.Equal("The job hit a protocol error.", protocolError["statusMessage"]!.GetValue<string>());
        Assert.False(protocolError.ContainsKey("result"));
    }

    [Fact]
    public async Task Input_requests_are_answered_by_tasks_update_in_parts_and_unknown_keys_are_ignored()
    {
        var http = host.StatelessWire();
        var taskId = (await StatelessTasks.CreateAsync(http, "multi_input"))["taskId"]!.GetValue<string>();
        var waiting = await StatelessTasks.UntilAsync(http, taskId, "input_required");
        var requests = waiting["inputRequests"]!.AsObject();
        Assert.Equal(["confirm", "name"], requests.Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Equal("elicitation/create", requests["name"]!["method"]!.GetValue<string>());

        var update = (JsonObject answers) => http.CallAsync(StatelessTasks.Method("tasks/update", taskId, new JsonObject { ["inputResponses"] = answers }));
        var ack = Expect.Complete(await update(new JsonObject
        {
            ["name"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["name"] = "Ada" } },
            ["unknown-key"] = new JsonObject { ["ignored"] = true },
        }), 1);
        Assert.DoesNotContain(ack, p => p.Key is not ("resultType" or "_meta"));

        var partial = await StatelessTasks.GetAsync(http, taskId);
        Assert.Equal("input_required", partial["status"]!.GetValue<string>());
        Assert.Equal(["confirm"], partial["inputRequests"]!.AsObject().Select(r => r.Key));

        Expect.Complete(await update(new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } }), 1);
        var done = await StatelessTasks.UntilAsync(http, taskId);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal("Name Ada, confirmed true.", done["result"]!["content"]![0]!["text"]!.GetValue<string>());

        // Answering again after the end changes nothing and is still acknowledged.
        Expect.Complete(await update(new JsonObject { ["confirm"] = new JsonObject { ["action"] = "decline" } }), 1);
        Assert.Equal("completed", (await StatelessTasks.GetAsync(http, taskId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Input_asked_before_the_task_is_an_input_round_on_tools_call_and_reaches_the_task()
    {
        var http = host.StatelessWire();
        var first = Expect.InputRequired(await http.CallAsync(StatelessTasks.Call("test_tool_with_task")), 1);
        Assert.False(first.ContainsKey("taskId"));
        Assert.NotNull(first["inputRequests"]!["user_name"]);

        var retry = StatelessTasks.Call("test_tool_with_task");
        retry["params"]!["inputResponses"] = new JsonObject { ["user_name"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["name"] = "Alice" } } };
        if (first["requestState"] is { } state)
        {
            retry["params"]!["requestState"] = state.DeepClone();
        }

        var created = Expect.Result(await http.CallAsync(retry), 1);
        Assert.Equal("task", created["resultType"]!.GetValue<string>());
        Assert.False(created.ContainsKey("requestState"));
        var done = await StatelessTasks.UntilAsync(http, created["taskId"]!.GetValue<string>());
        Assert.StartsWith("Hello, Alice!", done["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Arguments_are_validated_when_the_task_is_created_not_later()
    {
        var result = Expect.Complete(await host.StatelessWire().CallAsync(StatelessTasks.Call("slow_compute", new JsonObject { ["seconds"] = -1, ["label"] = "invalid" })), 1);

        Assert.True(result["isError"]?.GetValue<bool>(), $"the call must be refused at once: {result.ToJsonString()}");
        Assert.Contains("validation_error", Expect.Text(result));
        Assert.Contains("seconds", Expect.Text(result));
        Assert.False(result.ContainsKey("taskId"));
    }

    [Fact]
    public async Task Answers_sent_with_the_creating_call_do_not_answer_questions_the_task_asks_later()
    {
        var http = host.StatelessWire();
        var call = StatelessTasks.Call("confirm_delete", new JsonObject { ["filename"] = "guarded.txt" });
        call["params"]!["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } };
        var created = Expect.Result(await http.CallAsync(call), 1);

        var task = await StatelessTasks.UntilAsync(http, created["taskId"]!.GetValue<string>(), "input_required");

        Assert.NotNull(task["inputRequests"]!["confirm"]);
        await http.CallAsync(StatelessTasks.Method("tasks/cancel", created["taskId"]!.GetValue<string>()));
    }
}
