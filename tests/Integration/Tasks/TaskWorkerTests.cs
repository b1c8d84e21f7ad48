using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>The worker's limits: tasks beyond the concurrency limit wait their turn; a rate limit refuses at creation.</summary>
public sealed class TaskWorkerTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services => services.AddTaskFixtures(),
        new Dictionary<string, string?>
        {
            ["Mcp:Tasks:MaxConcurrency"] = "1",
            ["RateLimiting:Policies:once:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:once:PermitLimit"] = "1",
            ["RateLimiting:Policies:once:Window"] = "00:10:00",
            ["RateLimiting:Bindings:export_tickets:0"] = "once",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Beyond_the_concurrency_limit_a_task_waits_until_a_slot_is_free()
    {
        var http = new ModernHttp(_host.Client);
        var first = (await Tasks2026.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 2, ["label"] = "first" }))["taskId"]!.GetValue<string>();
        var second = (await Tasks2026.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 2, ["label"] = "second" }))["taskId"]!.GetValue<string>();

        // The first reports progress while the second has not started (its handler sets the status message).
        var running = await Tasks2026.UntilAsync(http, first, "working");
        var deadline = DateTime.UtcNow + Tasks2026.Patience;
        while (running["statusMessage"] is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            running = await Tasks2026.GetAsync(http, first);
        }

        Assert.StartsWith("Computing first", running["statusMessage"]!.GetValue<string>());
        var waiting = await Tasks2026.GetAsync(http, second);
        Assert.Equal("working", waiting["status"]!.GetValue<string>());
        Assert.Null(waiting["statusMessage"]);

        Assert.Equal("completed", (await Tasks2026.UntilAsync(http, first))["status"]!.GetValue<string>());
        var done = await Tasks2026.UntilAsync(http, second);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.True(
            DateTime.Parse(done["lastUpdatedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >=
            DateTime.Parse((await Tasks2026.GetAsync(http, first))["lastUpdatedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1.5),
            "the second task ran after the first, not beside it");
    }

    [Fact]
    public async Task A_rate_limit_refuses_the_call_when_the_task_would_be_created()
    {
        var http = new ModernHttp(_host.Client);
        await Tasks2026.CreateAsync(http, "export_tickets", new JsonObject { ["filter"] = "status=Open" });

        var refused = Tasks2026.Error(await http.CallAsync(Tasks2026.Call("export_tickets", new JsonObject { ["filter"] = "status=Open" })), HttpStatusCode.OK, -32000);

        Assert.Equal("once", refused["data"]!["policy"]!.GetValue<string>());
    }
}
