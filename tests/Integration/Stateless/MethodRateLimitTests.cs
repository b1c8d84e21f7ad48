using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Tests.Integration.Tasks;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// An MCP method has a rate limit of its own, like a tool: <c>RateLimiting:Bindings</c> under <c>mcp/</c> + the
/// method's name (here <c>mcp/subscriptions/listen</c>) limits it per caller, before it runs; other methods and
/// other callers are not touched.
/// </summary>
public sealed class MethodRateLimitTests : IAsyncLifetime
{
    private readonly List<IDisposable> _open = [];
    private readonly UserClients _clients = new();
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StatelessHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:listen-rate:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:listen-rate:PermitLimit"] = "1",
            ["RateLimiting:Policies:listen-rate:Window"] = "01:00:00",
            ["RateLimiting:Bindings:mcp/subscriptions/listen:0"] = "listen-rate",
            ["Mcp:Limits:MaxListenStreamsPerPrincipal"] = "5",
        },
        services => services.AddTaskFixtures());

    public async Task DisposeAsync()
    {
        foreach (var open in Enumerable.Reverse(_open))
        {
            open.Dispose();
        }

        _clients.Dispose();
        await _host.DisposeAsync();
    }

    private StatelessHttp As(string user) => _clients.As(_host.Address, user);

    private static JsonObject Listen(JsonNode id) =>
        StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true } }, id, StatelessTasks.Meta());

    private async Task ListensAsync(string user, JsonNode id)
    {
        using var timeout = new CancellationTokenSource(StatelessHost.Patience);
        var response = await As(user).SendAsync(Listen(id), completion: HttpCompletionOption.ResponseHeadersRead);
        _open.Add(response);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        _open.Add(events);
        var (_, ack) = await events.NextMessageAsync(timeout.Token);
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_method_limited_in_configuration_refuses_a_caller_over_its_rate_and_serves_the_others()
    {
        await ListensAsync("ivan", "i-1");

        var refused = Expect.Error(await As("ivan").CallAsync(Listen("i-2")), HttpStatusCode.OK, -32000, "i-2");
        Assert.Equal("listen-rate", refused["data"]?["policy"]?.GetValue<string>());
        Assert.True(refused["data"]?["retryAfter"]?.GetValue<int>() > 0, refused.ToJsonString());

        // Another caller has a count of its own; the caller's other methods are not limited.
        await ListensAsync("judy", "j-1");
        var tools = Expect.Result(await As("ivan").CallAsync(StatelessWire.Request("tools/list", new JsonObject(), "i-3", StatelessTasks.Meta())), "i-3");
        Assert.NotNull(tools["tools"]);
    }
}
