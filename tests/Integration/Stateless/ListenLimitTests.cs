using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Mcp.Security;
using McpCqrs.Tests.Integration.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>A stateless host of the listen tests: callers by name, and the streams they open, closed at the end.</summary>
public abstract class ListenHostTests : IAsyncLifetime
{
    private readonly List<IDisposable> _open = [];
    private readonly UserClients _clients = new();

    private protected TestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var open in Enumerable.Reverse(_open))
        {
            open.Dispose();
        }

        _clients.Dispose();

        await Host.DisposeAsync();
    }

    private protected abstract Task<TestHost> StartAsync();

    private protected StatelessHttp As(string? user) => _clients.As(Host.Address, user);

    /// <summary>Keeps <paramref name="open"/> until the test ends.</summary>
    private protected T Keep<T>(T open)
        where T : IDisposable
    {
        _open.Add(open);
        return open;
    }

    private protected static JsonObject Listen(JsonNode id, JsonObject notifications) =>
        StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = notifications }, id, StatelessTasks.Meta());

    /// <summary>Opens a listen stream and reads its acknowledgement.</summary>
    private protected async Task<(HttpResponseMessage Response, SseReader Events, JsonObject Ack)> OpenAsync(string? user, JsonNode id, JsonObject notifications)
    {
        using var timeout = new CancellationTokenSource(StatelessHost.Patience);
        var response = Keep(await As(user).SendAsync(Listen(id, notifications), completion: HttpCompletionOption.ResponseHeadersRead));
        var events = Keep(new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token)));
        var (_, ack) = await events.NextMessageAsync(timeout.Token);
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]?.GetValue<string>());
        return (response, events, ack.AsObject());
    }
}

/// <summary>
/// The bounds of <c>subscriptions/listen</c> (<c>Mcp:Limits</c>): one stream per principal, two task ids per listen,
/// resource subscriptions only to resources the caller may read (permissions enforced, and no caller holds a scope).
/// Each refusal is a clear error and leaves the server serving the others.
/// </summary>
public sealed class ListenLimitTests : ListenHostTests
{
    private protected override Task<TestHost> StartAsync() => StatelessHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["Mcp:Limits:MaxListenStreamsPerPrincipal"] = "1",
            ["Mcp:Limits:MaxTaskIdsPerListen"] = "2",
            ["Mcp:Limits:MaxSubscriptionsPerSession"] = "2",
        },
        services =>
        {
            services.AddTaskFixtures();

            // Permissions are checked although the host lets anyone in: no caller here holds tickets:read.
            services.Replace(ServiceDescriptor.Singleton(new PermissionEvaluator(new PermissionOptions { Enforce = true })));
        });

    [Fact]
    public async Task A_second_listen_stream_of_one_principal_is_refused_until_the_first_closes_and_others_still_listen()
    {
        var (first, events, _) = await OpenAsync("dave", "d-1", new JsonObject { ["toolsListChanged"] = true });

        var refused = Expect.Error(await As("dave").CallAsync(Listen("d-2", new JsonObject { ["toolsListChanged"] = true })), HttpStatusCode.OK, -32003, "d-2");
        Assert.Equal("Mcp:Limits:MaxListenStreamsPerPrincipal", refused["data"]?["limit"]?.GetValue<string>());
        Assert.Equal(1, refused["data"]?["max"]?.GetValue<int>());
        await OpenAsync("erin", "e-1", new JsonObject { ["toolsListChanged"] = true });

        // The client leaves: its place is given back once the server sees the stream close.
        events.Dispose();
        first.Dispose();
        var deadline = DateTime.UtcNow + StatelessHost.Patience;
        while (true)
        {
            var reply = Keep(await As("dave").SendAsync(Listen("d-3", new JsonObject { ["toolsListChanged"] = true }), completion: HttpCompletionOption.ResponseHeadersRead));
            if (reply.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the closed stream's place was never given back");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_listen_naming_more_task_ids_than_allowed_is_refused_and_a_smaller_one_is_served()
    {
        var http = As("frank");
        var mine = (await StatelessTasks.CreateAsync(http, "slow_compute", new JsonObject { ["seconds"] = 0, ["label"] = $"listen-{Guid.NewGuid():N}" }))["taskId"]!.GetValue<string>();

        var refused = Expect.Error(await http.CallAsync(Listen("f-1", new JsonObject { ["taskIds"] = new JsonArray(mine, "b", "c") })), HttpStatusCode.OK, -32003, "f-1");
        Assert.Equal("Mcp:Limits:MaxTaskIdsPerListen", refused["data"]?["limit"]?.GetValue<string>());
        Assert.Equal(2, refused["data"]?["max"]?.GetValue<int>());

        var (_, _, ack) = await OpenAsync("frank", "f-2", new JsonObject { ["taskIds"] = new JsonArray(mine, "not-a-task") });
        Assert.True(JsonNode.DeepEquals(new JsonArray(mine), ack["params"]?["notifications"]?["taskIds"]), ack.ToJsonString());
    }

    [Fact]
    public async Task A_listen_naming_more_resources_than_a_session_may_hold_is_refused_before_any_is_checked()
    {
        var refused = Expect.Error(await As("heidi").CallAsync(Listen("h-1", new JsonObject { ["resourceSubscriptions"] = new JsonArray("test://static-text", "tickets://1", "tickets://2") })), HttpStatusCode.OK, -32003, "h-1");

        Assert.Equal("Mcp:Limits:MaxSubscriptionsPerSession", refused["data"]?["limit"]?.GetValue<string>());
        Assert.Equal(2, refused["data"]?["max"]?.GetValue<int>());
    }

    [Fact]
    public async Task A_listen_to_an_unknown_resource_or_one_the_caller_may_not_read_is_refused()
    {
        var unknown = Expect.Error(await As(null).CallAsync(Listen("u-1", new JsonObject { ["resourceSubscriptions"] = new JsonArray("nowhere://1") })), HttpStatusCode.OK, -32602, "u-1");
        Assert.Equal("nowhere://1", unknown["data"]?["uri"]?.GetValue<string>());

        // tickets:read, which a ticket needs, is missing; the static text needs nothing.
        var forbidden = Expect.Error(await As("grace").CallAsync(Listen("g-1", new JsonObject { ["resourceSubscriptions"] = new JsonArray("test://static-text", "tickets://2") })), HttpStatusCode.OK, -32602, "g-1");
        Assert.Equal("tickets://2", forbidden["data"]?["uri"]?.GetValue<string>());
        Assert.Contains("tickets:read", forbidden["message"]?.GetValue<string>());

        var (_, _, ack) = await OpenAsync("grace", "g-2", new JsonObject { ["resourceSubscriptions"] = new JsonArray("test://static-text") });
        Assert.True(JsonNode.DeepEquals(new JsonArray("test://static-text"), ack["params"]?["notifications"]?["resourceSubscriptions"]), ack.ToJsonString());
    }
}

/// <summary>
/// A listen stream ends after <c>Mcp:Limits:MaxStreamDuration</c> with the listen result (a graceful end the client
/// answers by listening again), after delivering what was queued for it; listening again works at once.
/// </summary>
public sealed class ListenDurationTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services =>
        {
            services.AddConformanceFixtures();
            services.AddStatelessTestFixtures();
        },
        new Dictionary<string, string?> { ["Mcp:Limits:MaxStreamDuration"] = "00:00:01" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_listen_stream_ends_with_its_result_after_the_maximum_duration_and_the_client_listens_again()
    {
        var http = new StatelessHttp(_host.Client);
        for (var round = 1; round <= 2; round++)
        {
            JsonNode id = $"long-{round}";
            using var timeout = new CancellationTokenSource(StatelessHost.Patience);
            using var response = await http.SendAsync(
                StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true } }, id),
                completion: HttpCompletionOption.ResponseHeadersRead);
            using var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var messages = new List<JsonObject>();
            while (await events.NextAsync(timeout.Token) is { } frame)
            {
                messages.Add(JsonNode.Parse(frame.Data)!.AsObject());
            }

            Assert.Equal("notifications/subscriptions/acknowledged", messages[0]["method"]?.GetValue<string>());
            var end = messages[^1];
            Expect.SameId(id, end["id"]);
            Assert.Equal("complete", end["result"]?["resultType"]?.GetValue<string>());
            Expect.SameId(id, end["result"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
        }
    }
}
