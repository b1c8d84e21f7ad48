using System.Text.Json.Nodes;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Tests.Integration.Tasks;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Tasks across two instances sharing PostgreSQL and Redis: created on A, read, answered and watched on B; an
/// instance that stops mid-task leaves a task that is failed after its lease, with nothing half-written.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTaskTests(PostgresServer postgres) : IAsyncLifetime
{
    private HostPair _pair = null!;
    private TestHost _a = null!;
    private TestHost _b = null!;

    /// <summary>Long leases and a 5 s store check: anything faster than that came over Redis.</summary>
    public async Task InitializeAsync()
    {
        _pair = await HostPair.StartAsync(postgres, services => services.AddTaskFixtures(), new Dictionary<string, string?> { ["Mcp:Tasks:LeaseDuration"] = "00:00:30", ["Mcp:Tasks:WatchInterval"] = "00:00:05" });
        (_a, _b) = (_pair.A, _pair.B);
    }

    public Task DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task A_task_created_on_A_is_read_answered_and_watched_on_B()
    {
        var onA = new StatelessHttp(_a.Client);
        var onB = new StatelessHttp(_b.Client);
        var taskId = (await StatelessTasks.CreateAsync(onA, "confirm_delete", new JsonObject { ["filename"] = "shared.txt" }))["taskId"]!.GetValue<string>();
        Assert.Equal(taskId, (await StatelessTasks.GetAsync(onB, taskId))["taskId"]!.GetValue<string>());

        using var listen = await onB.SendAsync(
            StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray(taskId) } }, "b-listen", StatelessTasks.Meta()),
            completion: HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await listen.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(StatelessTasks.Patience);
        Assert.Equal("notifications/subscriptions/acknowledged", (await events.NextMessageAsync(timeout.Token)).Message["method"]!.GetValue<string>());

        await StatelessTasks.UntilAsync(onB, taskId, "input_required");
        var answeredAt = DateTime.UtcNow;
        Expect.Complete(await onB.CallAsync(StatelessTasks.Method("tasks/update", taskId, new JsonObject
        {
            ["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } },
        })), 1);

        JsonNode notification;
        do
        {
            notification = (await events.NextMessageAsync(timeout.Token)).Message;
            Assert.Equal("notifications/tasks", notification["method"]!.GetValue<string>());
        }
        while (notification["params"]!["status"]!.GetValue<string>() != "completed");

        // The handler waiting on A woke through Redis, well before its 5 s store check.
        Assert.True(DateTime.UtcNow - answeredAt < TimeSpan.FromSeconds(4), "the answer given on B did not wake the handler on A at once");
        Assert.Equal("Deleted shared.txt.", notification["params"]!["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cancel_on_B_stops_the_handler_on_A()
    {
        var onA = new StatelessHttp(_a.Client);
        var onB = new StatelessHttp(_b.Client);
        var label = $"cross-cancel-{Guid.NewGuid():N}";
        var taskId = (await StatelessTasks.CreateAsync(onA, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = label }))["taskId"]!.GetValue<string>();
        await WaitAsync(() => TaskFixtureHandlers.Running.GetValueOrDefault(label) == 1, "the handler to start on A");

        Expect.Complete(await onB.CallAsync(StatelessTasks.Method("tasks/cancel", taskId)), 1);

        // Redis carries the cancel to A, whose watch stops the handler well before its 5 s store check.
        var cancelledAt = DateTime.UtcNow;
        await WaitAsync(() => TaskFixtureHandlers.Running.GetValueOrDefault(label) == 0, "the handler on A to stop");
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(4), "the cancel on B did not reach the handler on A at once");
        var task = await StatelessTasks.GetAsync(onA, taskId);
        Assert.Equal("cancelled", task["status"]!.GetValue<string>());
        Assert.False(task.ContainsKey("result"));
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

}

/// <summary>An instance that stops mid-task: short leases, a fast sweep.</summary>
[Collection(PostgresCollection.Name)]
public sealed class InstanceLossTaskTests(PostgresServer postgres) : IAsyncLifetime
{
    private HostPair _pair = null!;
    private TestHost _a = null!;
    private TestHost _b = null!;

    public async Task InitializeAsync()
    {
        _pair = await HostPair.StartAsync(postgres, services => services.AddTaskFixtures(), new Dictionary<string, string?> { ["Mcp:Tasks:LeaseDuration"] = "00:00:02", ["Mcp:Tasks:SweepInterval"] = "00:00:00.500" });
        (_a, _b) = (_pair.A, _pair.B);
    }

    public Task DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task A_task_whose_instance_stops_fails_after_its_lease_while_the_other_serves_reads()
    {
        var onA = new StatelessHttp(_a.Client);
        var onB = new StatelessHttp(_b.Client);
        var taskId = (await StatelessTasks.CreateAsync(onA, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "orphan" }))["taskId"]!.GetValue<string>();
        await Task.Delay(500);

        var stopping = _a.StopAsync();
        Assert.Equal(taskId, (await StatelessTasks.GetAsync(onB, taskId))["taskId"]!.GetValue<string>());
        await stopping;

        var failed = await StatelessTasks.UntilAsync(onB, taskId);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(EfMcpTaskStore.AbandonedMessage, failed["statusMessage"]!.GetValue<string>());
        Assert.Equal(-32603, failed["error"]!["code"]!.GetValue<int>());
        Assert.False(failed.ContainsKey("result"));
    }
}
