using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Stateless;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>
/// One live task per owner (<c>Mcp:Limits:MaxLiveTasksPerOwner</c>), and a fallback poll of ten minutes: a task
/// waiting for input must be woken by the answer's event, never by the poll.
/// </summary>
public sealed class TaskLimitTests : IAsyncLifetime
{
    private readonly TaskHost _host = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Mcp:Limits:MaxLiveTasksPerOwner"] = "1",
            ["Mcp:Tasks:WatchInterval"] = "00:10:00",
        },
    };

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private static JsonObject Confirm => new()
    {
        ["inputResponses"] = new JsonObject { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } },
    };

    [Fact]
    public async Task Beyond_the_live_task_quota_a_call_is_refused_before_anything_is_written_and_others_still_start()
    {
        var alice = _host.StatelessWire("alice");
        var asking = (await StatelessTasks.CreateAsync(alice, "confirm_delete", new JsonObject { ["filename"] = "quota.txt" }))["taskId"]!.GetValue<string>();

        var refused = StatelessTasks.Error(await alice.CallAsync(StatelessTasks.Call("slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = "refused" })), HttpStatusCode.OK, -32003);
        Assert.Equal("Mcp:Limits:MaxLiveTasksPerOwner", refused["data"]?["limit"]?.GetValue<string>());
        Assert.Equal(1, refused["data"]?["max"]?.GetValue<int>());
        Assert.Equal(0, TaskFixtureHandlers.Started.GetValueOrDefault("refused"));

        // Another owner is not held back, and once alice's task ends she may start another.
        var bob = _host.StatelessWire("bob");
        Assert.Equal("completed", (await StatelessTasks.UntilAsync(bob, (await StatelessTasks.CreateAsync(bob, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"bob-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>()))["status"]!.GetValue<string>());
        Expect.Complete(await alice.CallAsync(StatelessTasks.Method("tasks/cancel", asking)), 1);
        Assert.Equal("completed", (await StatelessTasks.UntilAsync(alice, (await StatelessTasks.CreateAsync(alice, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"alice-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>()))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_answer_wakes_the_waiting_task_though_the_fallback_poll_is_ten_minutes()
    {
        var carol = _host.StatelessWire("carol");
        var asking = (await StatelessTasks.CreateAsync(carol, "confirm_delete", new JsonObject { ["filename"] = "wake.txt" }))["taskId"]!.GetValue<string>();
        await StatelessTasks.UntilAsync(carol, asking, "input_required");

        Expect.Complete(await carol.CallAsync(StatelessTasks.Method("tasks/update", asking, Confirm)), 1);

        // Patience is twenty seconds: only the event can have woken it.
        Assert.Equal("completed", (await StatelessTasks.UntilAsync(carol, asking))["status"]!.GetValue<string>());
    }
}
