using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// A quiet <c>subscriptions/listen</c> stream is kept alive with SSE comments (<c>Mcp:KeepAliveInterval</c>, here
/// 100 ms), beat after beat, and what it was opened for still arrives after them.
/// </summary>
public sealed class ListenKeepAliveTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private readonly UserClients _clients = new();

    public async Task InitializeAsync() =>
        _host = await StatelessHost.StartAsync(new Dictionary<string, string?> { ["Mcp:KeepAliveInterval"] = "00:00:00.100" });

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_quiet_listen_stream_gets_keep_alives_and_then_its_notifications()
    {
        var http = _clients.As(_host.Address, null);
        using var timeout = new CancellationTokenSource(StatelessHost.Patience);
        using var response = await http.SendAsync(
            StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true } }, "quiet"),
            completion: HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var (_, ack) = await events.NextMessageAsync(timeout.Token);
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]?.GetValue<string>());

        Assert.Equal(": keep-alive", await events.NextCommentAsync(timeout.Token));
        Assert.Equal(": keep-alive", await events.NextCommentAsync(timeout.Token));

        Expect.Complete(await http.CallAsync(StatelessWire.Call("test_trigger_tool_change", id: "trigger")), "trigger");
        var (_, changed) = await events.NextMessageAsync(timeout.Token);
        Assert.Equal("notifications/tools/list_changed", changed["method"]?.GetValue<string>());
        Expect.SameId("quiet", changed["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
    }
}
