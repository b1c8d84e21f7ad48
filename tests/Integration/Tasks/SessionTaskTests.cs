using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>
/// The experimental tasks of 2025-11-25 over sessions: <c>execution.taskSupport</c>, the nested create result,
/// blocking <c>tasks/result</c> with input through server-to-client requests, <c>tasks/list</c>, <c>tasks/cancel</c>,
/// and one store shared with the 2026-07-28 extension.
/// </summary>
public sealed class SessionTaskTests(TaskHost host) : IClassFixture<TaskHost>
{
    private const string RelatedTask = "io.modelcontextprotocol/related-task";

    private static string Request(string method, JsonObject parameters, object? id = null) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = JsonValue.Create(id ?? 1),
        ["method"] = method,
        ["params"] = parameters,
    }.ToJsonString();

    private static string CallWithTask(string tool, JsonObject? arguments = null, long? ttl = null)
    {
        var task = new JsonObject();
        if (ttl is { } ms)
        {
            task["ttl"] = ms;
        }

        return Request("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject(), ["task"] = task });
    }

    private static string TaskMethod(string method, string taskId, object? id = null) => Request(method, new JsonObject { ["taskId"] = taskId }, id);

    private async Task<RawMcp> SessionAsync(string user = "alice")
    {
        var mcp = host.SessionEra(user);
        await mcp.InitializeAsync(capabilities: new JsonObject { ["elicitation"] = new JsonObject(), ["tasks"] = new JsonObject() });
        return mcp;
    }

    /// <summary>The response of a POST: its JSON body, or the last message of its SSE stream.</summary>
    private static async Task<JsonObject> AnswerAsync(HttpResponseMessage response)
    {
        var reply = await StatelessHttp.ReadAsync(response);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Final;
    }

    private static JsonObject Result(JsonObject answer) =>
        answer["result"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"a result was expected: {answer.ToJsonString()}");

    private static int ErrorCode(JsonObject answer) =>
        answer["error"]?["code"]?.GetValue<int>() ?? throw new Xunit.Sdk.XunitException($"an error was expected: {answer.ToJsonString()}");

    [Fact]
    public async Task Tools_list_marks_the_tools_that_run_as_tasks()
    {
        var mcp = await SessionAsync();
        var tools = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = Result(await AnswerAsync(await mcp.PostAsync(Request("tools/list", cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor }))));
            foreach (var tool in page["tools"]!.AsArray().OfType<JsonObject>())
            {
                tools[tool["name"]!.GetValue<string>()] = tool;
            }

            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);


        Assert.Equal("optional", tools["slow_compute"]["execution"]!["taskSupport"]!.GetValue<string>());
        Assert.Equal("required", tools["failing_job"]["execution"]!["taskSupport"]!.GetValue<string>());
        Assert.Null(tools["greet"]["execution"]);
    }

    [Fact]
    public async Task A_task_call_answers_with_a_nested_task_and_tasks_result_waits_for_the_exact_result()
    {
        var mcp = await SessionAsync();
        var created = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 1, ["label"] = "legacy" }, ttl: 120_000))));

        var task = created["task"]!.AsObject();
        Assert.Equal("working", task["status"]!.GetValue<string>());
        Assert.Equal(120_000, task["ttl"]!.GetValue<long>());
        Assert.Equal(1000, task["pollInterval"]!.GetValue<int>());
        Assert.Null(task["ttlMs"]);
        Assert.Null(created["resultType"]);
        var taskId = task["taskId"]!.GetValue<string>();

        var polled = Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId))));
        Assert.Equal(taskId, polled["taskId"]!.GetValue<string>());
        Assert.Null(polled["result"]);

        var result = Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", taskId))));
        Assert.Equal("Computed legacy in 1 s.", result["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(taskId, result["_meta"]![RelatedTask]!["taskId"]!.GetValue<string>());
        Assert.Equal("completed", Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId))))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Task_support_is_enforced_with_method_not_found()
    {
        var mcp = await SessionAsync();

        Assert.Equal(-32601, ErrorCode(await AnswerAsync(await mcp.PostAsync(CallWithTask("greet", new JsonObject { ["name"] = "x" })))));
        Assert.Equal(-32601, ErrorCode(await AnswerAsync(await mcp.PostAsync(Request("tools/call", new JsonObject { ["name"] = "failing_job", ["arguments"] = new JsonObject() })))));
        Assert.Equal(-32601, ErrorCode(await AnswerAsync(await mcp.PostAsync(Request("tasks/update", new JsonObject { ["taskId"] = "x", ["inputResponses"] = new JsonObject() })))));
    }

    [Fact]
    public async Task A_tool_error_is_a_failed_task_in_this_revision_and_tasks_result_returns_the_error_result()
    {
        var mcp = await SessionAsync();
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("failing_job"))))["task"]!["taskId"]!.GetValue<string>();

        var result = Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", taskId))));

        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.Equal("failed", Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId))))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tasks_list_shows_a_tool_error_as_failed_as_tasks_get_does()
    {
        var mcp = await SessionAsync("frank");
        var failing = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("failing_job"))))["task"]!["taskId"]!.GetValue<string>();
        var passing = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 0 }))))["task"]!["taskId"]!.GetValue<string>();
        await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", failing)));
        await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", passing)));

        var listed = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            var page = Result(await AnswerAsync(await mcp.PostAsync(Request("tasks/list", cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor }))));
            foreach (var task in page["tasks"]!.AsArray())
            {
                listed[task!["taskId"]!.GetValue<string>()] = task["status"]!.GetValue<string>();
            }

            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal("failed", listed[failing]);
        Assert.Equal("completed", listed[passing]);
        Assert.Equal("failed", Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", failing))))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tasks_result_of_a_protocol_error_is_that_error()
    {
        var mcp = await SessionAsync();
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("protocol_error_job"))))["task"]!["taskId"]!.GetValue<string>();

        var answer = await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", taskId)));

        Assert.Equal(-32603, ErrorCode(answer));
        Assert.Equal("The job hit a protocol error.", answer["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tasks_list_pages_through_the_callers_tasks_only()
    {
        var carol = await SessionAsync("carol");
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(Result(await AnswerAsync(await carol.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"list {i}" }))))["task"]!["taskId"]!.GetValue<string>());
        }

        var dave = await SessionAsync("dave");
        Assert.NotNull(Result(await AnswerAsync(await dave.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 0 }))))["task"]);

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var parameters = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor };
            var page = Result(await AnswerAsync(await carol.PostAsync(Request("tasks/list", parameters))));
            listed.AddRange(page["tasks"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(created.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(3, listed.Count); // two pages of two (the page size of this host)
        Assert.Equal(-32602, ErrorCode(await AnswerAsync(await carol.PostAsync(Request("tasks/list", new JsonObject { ["cursor"] = "not-a-cursor" })))));
    }

    [Fact]
    public async Task Cancel_returns_the_cancelled_task_and_a_second_cancel_is_refused()
    {
        var mcp = await SessionAsync();
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "legacy cancel" }))))["task"]!["taskId"]!.GetValue<string>();

        var cancelled = Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/cancel", taskId))));

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(-32602, ErrorCode(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/cancel", taskId)))));
        Assert.Equal(-32602, ErrorCode(await AnswerAsync(await (await SessionAsync("mallory")).PostAsync(TaskMethod("tasks/get", taskId)))));
    }

    [Fact]
    public async Task Questions_of_a_task_reach_the_client_as_requests_on_the_tasks_result_stream()
    {
        var mcp = await SessionAsync();
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("confirm_delete", new JsonObject { ["filename"] = "report.txt" }))))["task"]!["taskId"]!.GetValue<string>();

        using var response = await mcp.SendAsync(mcp.Request(HttpMethod.Post, TaskMethod("tasks/result", taskId, id: "result")), HttpCompletionOption.ResponseHeadersRead);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var (_, message) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal("elicitation/create", message["method"]!.GetValue<string>());
        Assert.Equal(taskId, message["params"]!["_meta"]![RelatedTask]!["taskId"]!.GetValue<string>());

        var answer = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = message["id"]!.DeepClone(),
            ["result"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } },
        };
        Assert.Equal(HttpStatusCode.Accepted, (await mcp.PostAsync(answer.ToJsonString())).StatusCode);

        var (_, final) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal("result", final["id"]!.GetValue<string>());
        Assert.Equal("Deleted report.txt.", final["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_store_serves_both_revisions()
    {
        var modern = host.StatelessWire("erin");
        var legacy = await SessionAsync("erin");
        var fromStateless = (await StatelessTasks.CreateAsync(modern, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = "modern" }))["taskId"]!.GetValue<string>();
        var fromSession = Result(await AnswerAsync(await legacy.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = "legacy" }))))["task"]!["taskId"]!.GetValue<string>();

        Assert.Equal(fromStateless, Result(await AnswerAsync(await legacy.PostAsync(TaskMethod("tasks/get", fromStateless))))["taskId"]!.GetValue<string>());
        var done = await StatelessTasks.UntilAsync(modern, fromSession);
        Assert.Equal("Computed legacy in 0 s.", done["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_past_its_time_to_live_is_gone()
    {
        var mcp = await SessionAsync();
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = "short-lived" }, ttl: 1))))["task"]!["taskId"]!.GetValue<string>();

        // Gone once it has ended (a task is kept past its time to live while it runs): tasks/get says -32602.
        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        JsonObject answer;
        while ((answer = await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId))))["error"]?["code"]?.GetValue<int>() != -32602)
        {
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} past its time to live is still there: {answer.ToJsonString()}");
            await Task.Delay(20);
        }

        Assert.DoesNotContain(taskId, Result(await AnswerAsync(await mcp.PostAsync(Request("tasks/list", new JsonObject()))))["tasks"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_task_that_runs_past_its_time_to_live_is_stopped_and_failed()
    {
        var mcp = await SessionAsync("gina");
        var label = $"ttl-{Guid.NewGuid():N}";
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("slow_compute", new JsonObject { ["seconds"] = 600, ["label"] = label }, ttl: 3000))))["task"]!["taskId"]!.GetValue<string>();

        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        JsonObject task;
        while ((task = Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId)))))["status"]!.GetValue<string>() != "failed")
        {
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} still runs past its time to live: {task.ToJsonString()}");
            await Task.Delay(50);
        }

        Assert.Equal("The task's time to live ended before it finished; it was stopped.", task["statusMessage"]!.GetValue<string>());
        Assert.Equal(-32001, ErrorCode(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", taskId)))));

        // The handler heard it: its token was cancelled and it stopped (it would otherwise work for ten minutes).
        while (TaskFixtureHandlers.Running.GetValueOrDefault(label) != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the handler of a task past its time to live is still running");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_task_asking_what_its_session_cannot_answer_fails_with_32021_instead_of_waiting()
    {
        var mcp = host.SessionEra("lena");
        await mcp.InitializeAsync(capabilities: new JsonObject { ["tasks"] = new JsonObject() });
        var taskId = Result(await AnswerAsync(await mcp.PostAsync(CallWithTask("confirm_delete", new JsonObject { ["filename"] = "mute.txt" }))))["task"]!["taskId"]!.GetValue<string>();

        var answer = await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/result", taskId)));

        Assert.Equal(-32021, ErrorCode(answer));
        Assert.Equal("failed", Result(await AnswerAsync(await mcp.PostAsync(TaskMethod("tasks/get", taskId))))["status"]!.GetValue<string>());
    }
}
