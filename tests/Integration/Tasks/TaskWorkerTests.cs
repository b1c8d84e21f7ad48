using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>
/// The worker's limits, with one slot and three-second leases swept five times a second: tasks beyond the limit wait
/// their turn (their leases kept alive), a task waiting for answers gives its slot back, a task cancelled in the
/// queue never starts, and a rate limit refuses at creation.
/// </summary>
public sealed class TaskWorkerTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services => services.AddTaskFixtures(),
        new Dictionary<string, string?>
        {
            ["Mcp:Tasks:MaxConcurrency"] = "1",
            ["Mcp:Tasks:LeaseDuration"] = "00:00:03",
            ["Mcp:Tasks:SweepInterval"] = "00:00:00.200",
            ["RateLimiting:Policies:once:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:once:PermitLimit"] = "1",
            ["RateLimiting:Policies:once:Window"] = "00:10:00",
            ["RateLimiting:Bindings:export_tickets:0"] = "once",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Beyond_the_concurrency_limit_a_task_waits_until_a_slot_is_free()
    {
        var http = new StatelessHttp(_host.Client);
        var first = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 2, ["label"] = "first" }))["taskId"]!.GetValue<string>();
        var second = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 2, ["label"] = "second" }))["taskId"]!.GetValue<string>();

        // The first reports progress while the second has not started (its handler sets the status message).
        var running = await StatelessTasks.UntilAsync(http, first, "working");
        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        while (running["statusMessage"] is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            running = await StatelessTasks.GetAsync(http, first);
        }

        Assert.StartsWith("Computing first", running["statusMessage"]!.GetValue<string>());
        var waiting = await StatelessTasks.GetAsync(http, second);
        Assert.Equal("working", waiting["status"]!.GetValue<string>());
        Assert.Null(waiting["statusMessage"]);

        Assert.Equal("completed", (await StatelessTasks.UntilAsync(http, first))["status"]!.GetValue<string>());
        var done = await StatelessTasks.UntilAsync(http, second);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.True(
            DateTime.Parse(done["lastUpdatedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >=
            DateTime.Parse((await StatelessTasks.GetAsync(http, first))["lastUpdatedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1.5),
            "the second task ran after the first, not beside it");
    }

    [Fact]
    public async Task A_rate_limit_refuses_the_call_when_the_task_would_be_created()
    {
        var http = new StatelessHttp(_host.Client);
        await StatelessTasks.CreateAsync(http, "export_tickets", new JsonObject { ["filter"] = "status=Open" });

        var refused = StatelessTasks.Error(await http.CallAsync(StatelessTasks.Call("export_tickets", new JsonObject { ["filter"] = "status=Open" })), HttpStatusCode.OK, -32000);

        Assert.Equal("once", refused["data"]!["policy"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_queued_longer_than_a_lease_is_not_taken_for_abandoned()
    {
        var http = new StatelessHttp(_host.Client);
        var first = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 5, ["label"] = $"long-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>();
        var queued = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"queued-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>();

        foreach (var taskId in new[] { first, queued })
        {
            var done = await StatelessTasks.UntilAsync(http, taskId);
            Assert.True(done["status"]!.GetValue<string>() == "completed", done.ToJsonString());
        }
    }

    [Fact]
    public async Task A_task_cancelled_in_the_queue_never_starts()
    {
        var http = new StatelessHttp(_host.Client);
        var label = $"never-{Guid.NewGuid():N}";
        var first = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 2, ["label"] = $"ahead-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>();
        var queued = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = label }))["taskId"]!.GetValue<string>();

        Expect.Complete(await http.CallAsync(StatelessTasks.Method("tasks/cancel", queued)), 1);
        await StatelessTasks.UntilAsync(http, first);
        var after = $"after-{Guid.NewGuid():N}";
        await StatelessTasks.UntilAsync(http, (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = after }))["taskId"]!.GetValue<string>());

        Assert.Equal(1, TaskFixtureHandlers.Started.GetValueOrDefault(after));
        Assert.Equal(0, TaskFixtureHandlers.Started.GetValueOrDefault(label));
        Assert.Equal("cancelled", (await StatelessTasks.GetAsync(http, queued))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_waiting_for_answers_gives_its_slot_to_the_next()
    {
        var http = new StatelessHttp(_host.Client);
        var asking = (await StatelessTasks.CreateAsync(http, "confirm_delete", new JsonObject { ["filename"] = "slot.txt" }))["taskId"]!.GetValue<string>();
        await StatelessTasks.UntilAsync(http, asking, "input_required");

        var next = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"next-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>();

        Assert.Equal("completed", (await StatelessTasks.UntilAsync(http, next))["status"]!.GetValue<string>());
        Assert.Equal("input_required", (await StatelessTasks.GetAsync(http, asking))["status"]!.GetValue<string>());
        Expect.Complete(await http.CallAsync(StatelessTasks.Method("tasks/update", asking, new JsonObject
        {
            ["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } },
        })), 1);
        Assert.Equal("completed", (await StatelessTasks.UntilAsync(http, asking))["status"]!.GetValue<string>());
    }
}
