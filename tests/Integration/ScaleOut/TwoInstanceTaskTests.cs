using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpCqrs.Infrastructure.Mcp.Tasks;
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
    private string _database = null!;
    private TestHost _a = null!;
    private TestHost _b = null!;

    public async Task InitializeAsync()
    {
        var redis = Environment.GetEnvironmentVariable("MCPCQRS_TEST_REDIS");
        Assert.False(
            string.IsNullOrWhiteSpace(redis),
            "No Redis for the integration tests: export MCPCQRS_TEST_REDIS=127.0.0.1:6379 with a Redis server running (bash .ci/run starts one).");
        _database = await postgres.CreateDatabaseAsync();
        var shared = new Dictionary<string, string?>
        {
            ["Mcp:Redis"] = redis,
            ["Mcp:RedisKeyPrefix"] = $"mcpcqrs:test:{Guid.NewGuid():N}",
            ["Mcp:RequestStateKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Mcp:Tasks:LeaseDuration"] = "00:00:02",
            ["Mcp:Tasks:SweepInterval"] = "00:00:00.500",
            ["Mcp:Tasks:WatchInterval"] = "00:00:05",
        };
        _a = await TestHost.StartOnPostgresAsync(_database, seed: true, more: shared, services: s => s.AddTaskFixtures());
        _b = await TestHost.StartOnPostgresAsync(_database, seed: true, more: shared, services: s => s.AddTaskFixtures());
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await postgres.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task A_task_created_on_A_is_read_answered_and_watched_on_B()
    {
        var onA = new ModernHttp(_a.Client);
        var onB = new ModernHttp(_b.Client);
        var taskId = (await Tasks2026.CreateAsync(onA, "confirm_delete", new JsonObject { ["filename"] = "shared.txt" }))["taskId"]!.GetValue<string>();
        Assert.Equal(taskId, (await Tasks2026.GetAsync(onB, taskId))["taskId"]!.GetValue<string>());

        using var listen = await onB.SendAsync(
            Modern.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["taskIds"] = new JsonArray(taskId) } }, "b-listen", Tasks2026.Meta()),
            completion: HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await listen.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Tasks2026.Patience);
        Assert.Equal("notifications/subscriptions/acknowledged", (await events.NextMessageAsync(timeout.Token)).Message["method"]!.GetValue<string>());

        await Tasks2026.UntilAsync(onB, taskId, "input_required");
        var answeredAt = DateTime.UtcNow;
        Expect.Complete(await onB.CallAsync(Tasks2026.Method("tasks/update", taskId, new JsonObject
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
        var onA = new ModernHttp(_a.Client);
        var onB = new ModernHttp(_b.Client);
        var taskId = (await Tasks2026.CreateAsync(onA, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "cross-cancel" }))["taskId"]!.GetValue<string>();
        await Task.Delay(300);

        Expect.Complete(await onB.CallAsync(Tasks2026.Method("tasks/cancel", taskId)), 1);

        var task = await Tasks2026.GetAsync(onA, taskId);
        Assert.Equal("cancelled", task["status"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("cancelled", (await Tasks2026.GetAsync(onB, taskId))["status"]!.GetValue<string>());
        Assert.False((await Tasks2026.GetAsync(onB, taskId)).ContainsKey("result"));
    }

    [Fact]
    public async Task A_task_whose_instance_stops_fails_after_its_lease_while_the_other_serves_reads()
    {
        var onA = new ModernHttp(_a.Client);
        var onB = new ModernHttp(_b.Client);
        var taskId = (await Tasks2026.CreateAsync(onA, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "orphan" }))["taskId"]!.GetValue<string>();
        await Task.Delay(500);

        var stopping = _a.StopAsync();
        Assert.Equal(taskId, (await Tasks2026.GetAsync(onB, taskId))["taskId"]!.GetValue<string>());
        await stopping;

        var failed = await Tasks2026.UntilAsync(onB, taskId);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(EfMcpTaskStore.AbandonedMessage, failed["statusMessage"]!.GetValue<string>());
        Assert.Equal(-32603, failed["error"]!["code"]!.GetValue<int>());
        Assert.False(failed.ContainsKey("result"));
    }
}
