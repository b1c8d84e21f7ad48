using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>Task changes pushed to clients: <c>notifications/tasks</c> on listen streams, <c>notifications/tasks/status</c> on sessions.</summary>
public sealed class TaskNotificationTests(TaskHost host) : IClassFixture<TaskHost>
{
    private static async Task<JsonObject> NextAsync(SseReader events)
    {
        using var timeout = new CancellationTokenSource(StatelessTasks.Patience);
        return (await events.NextMessageAsync(timeout.Token)).Message.AsObject();
    }

    [Fact]
    public async Task A_listen_stream_that_names_a_task_hears_each_change_as_the_detailed_task()
    {
        var http = host.StatelessWire("frank");
        var taskId = (await StatelessTasks.CreateAsync(http, "confirm_delete", new JsonObject { ["filename"] = "notes.txt" }))["taskId"]!.GetValue<string>();
        var foreign = (await StatelessTasks.CreateAsync(host.StatelessWire("grace"), "slow_compute", new JsonObject { ["seconds"] = 30 }))["taskId"]!.GetValue<string>();

        using var response = await http.SendAsync(
            StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray(taskId, foreign) } }, "listen-tasks", StatelessTasks.Meta()),
            completion: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        var ack = await NextAsync(events);
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]!.GetValue<string>());
        Assert.Equal([taskId], ack["params"]!["notifications"]!["taskIds"]!.AsArray().Select(t => t!.GetValue<string>()));

        await StatelessTasks.UntilAsync(http, taskId, "input_required");
        Expect.Complete(await http.CallAsync(StatelessTasks.Method("tasks/update", taskId, new JsonObject
        {
            ["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } },
        })), 1);

        JsonObject last;
        do
        {
            last = await NextAsync(events);
            Assert.Equal("notifications/tasks", last["method"]!.GetValue<string>());
            Assert.Equal(taskId, last["params"]!["taskId"]!.GetValue<string>());
            Assert.Equal("listen-tasks", last["params"]!["_meta"]![StatelessWire.SubscriptionIdKey]!.GetValue<string>());
        }
        while (last["params"]!["status"]!.GetValue<string>() != "completed");

        Assert.Equal("Deleted notes.txt.", last["params"]!["result"]!["content"]![0]!["text"]!.GetValue<string>());
        await host.StatelessWire("grace").CallAsync(StatelessTasks.Method("tasks/cancel", foreign));
    }

    [Fact]
    public async Task Subscribing_to_tasks_needs_the_extension()
    {
        var reply = await host.StatelessWire().CallAsync(
            StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray("x") } }, 1, StatelessTasks.Meta(tasks: false)));

        var error = StatelessTasks.Error(reply, HttpStatusCode.BadRequest, -32021);
        Assert.NotNull(error["data"]!["requiredCapabilities"]!["extensions"]![StatelessTasks.Extension]);
    }

    [Fact]
    public async Task The_session_that_created_a_task_hears_its_status_on_the_GET_stream()
    {
        var mcp = host.SessionEra("heidi");
        await mcp.InitializeAsync(capabilities: new JsonObject { ["tasks"] = new JsonObject() });
        using var stream = await mcp.SendAsync(mcp.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await stream.Content.ReadAsStreamAsync());

        var created = await RawMcp.JsonAsync(await mcp.PostAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = "slow_compute", ["arguments"] = new JsonObject { ["seconds"] = 1, ["label"] = "status" }, ["task"] = new JsonObject() },
        }.ToJsonString()));
        var taskId = created["result"]!["task"]!["taskId"]!.GetValue<string>();

        JsonObject last;
        do
        {
            last = await NextAsync(events);
            Assert.Equal("notifications/tasks/status", last["method"]!.GetValue<string>());
            Assert.Equal(taskId, last["params"]!["taskId"]!.GetValue<string>());
            Assert.Null(last["params"]!["_meta"]?["io.modelcontextprotocol/related-task"]);
        }
        while (last["params"]!["status"]!.GetValue<string>() != "completed");

        Assert.NotNull(last["params"]!["ttl"]);
    }
}
