using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Tests.Integration.Tasks;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// An MCP method has a rate limit of its own, like a tool: <c>RateLimiting:Bindings</c> under <c>mcp/</c> + the
/// method's name (here <c>mcp/subscriptions/listen</c>) limits it per caller, before it runs; other methods and
/// other callers are not touched.
/// </summary>
public sealed class MethodRateLimitTests : ListenHostTests
{
    private protected override Task<TestHost> StartAsync() => StatelessHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:listen-rate:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:listen-rate:PermitLimit"] = "1",
            ["RateLimiting:Policies:listen-rate:Window"] = "01:00:00",
            ["RateLimiting:Bindings:mcp/subscriptions/listen:0"] = "listen-rate",
            ["Mcp:Limits:MaxListenStreamsPerPrincipal"] = "5",
        },
        services => services.AddTaskFixtures());

    private static JsonObject Listen(JsonNode id) => Listen(id, new JsonObject { ["toolsListChanged"] = true });

    [Fact]
    public async Task A_method_limited_in_configuration_refuses_a_caller_over_its_rate_and_serves_the_others()
    {
        await OpenAsync("ivan", "i-1", new JsonObject { ["toolsListChanged"] = true });

        var refused = Expect.Error(await As("ivan").CallAsync(Listen("i-2")), HttpStatusCode.OK, -32000, "i-2");
        Assert.Equal("listen-rate", refused["data"]?["policy"]?.GetValue<string>());
        Assert.True(refused["data"]?["retryAfter"]?.GetValue<int>() > 0, refused.ToJsonString());

        // Another caller has a count of its own; the caller's other methods are not limited.
        await OpenAsync("judy", "j-1", new JsonObject { ["toolsListChanged"] = true });
        var tools = Expect.Result(await As("ivan").CallAsync(StatelessWire.Request("tools/list", new JsonObject(), "i-3", StatelessTasks.Meta())), "i-3");
        Assert.NotNull(tools["tools"]);
    }
}
