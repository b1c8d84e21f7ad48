using System.Net;
using McpCqrs.Mcp.Context;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Sessions bound to the caller who opened them, and streams the server closes on its own.</summary>
public sealed class SessionAndStreamTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services => services.AddTestUserAuthentication(),
        new Dictionary<string, string?> { ["Mcp:Limits:MaxStreamDuration"] = "00:00:00.300" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private RawMcp As(string? user)
    {
        var client = new HttpClient { BaseAddress = _host.Address };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add(TestUserAuthentication.Header, user);
        }

        return new RawMcp(client);
    }

    [Fact]
    public async Task Another_caller_using_a_session_id_finds_no_session()
    {
        var alice = As("alice");
        var sessionId = await alice.InitializeAsync();
        var bob = As("bob");
        bob.SessionId = sessionId;
        var anonymous = As(null);
        anonymous.SessionId = sessionId;

        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SendAsync(bob.Request(HttpMethod.Delete))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
    }

    /// <summary>A notification with its number, as the tests below count them.</summary>
    private Task NotifyAsync(string sessionId, int n, CancellationToken cancellationToken) =>
        _host.Services.GetRequiredService<IMcpNotifier>().NotifyAsync(
            sessionId,
            new JsonRpcNotification { Method = "notifications/test/n", Params = new System.Text.Json.Nodes.JsonObject { ["n"] = n } },
            cancellationToken).AsTask();

    /// <summary>Opens a GET stream (resumed from <paramref name="lastEventId"/> when given) and reads its events with data until the server closes it.</summary>
    private static async Task<List<(string? Id, string Data)>> ReadStreamAsync(RawMcp mcp, string? lastEventId, CancellationToken cancellationToken)
    {
        var request = mcp.Request(HttpMethod.Get, accept: "text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var response = await mcp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var events = new List<(string? Id, string Data)>();
        while (await sse.NextAsync(cancellationToken) is { } sseEvent)
        {
            if (sseEvent.Data.Length > 0)
            {
                events.Add(sseEvent);
            }
        }

        return events;
    }

    [Fact]
    public async Task A_GET_stream_the_server_closes_is_resumed_without_loss()
    {
        var mcp = As("carol");
        var sessionId = await mcp.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? lastId = null;
        var received = new List<int>();

        // Each stream lives 300 ms; notifications keep coming; the client reconnects with Last-Event-ID each time.
        var sender = Task.Run(
            async () =>
            {
                for (var n = 1; n <= 12; n++)
                {
                    await NotifyAsync(sessionId, n, timeout.Token);
                    await Task.Delay(60, timeout.Token);
                }
            },
            timeout.Token);

        var connections = 0;
        while (received.Count < 12)
        {
            connections++;
            foreach (var (id, data) in await ReadStreamAsync(mcp, lastId, timeout.Token))
            {
                lastId = id;
                received.Add(System.Text.Json.Nodes.JsonNode.Parse(data)!["params"]!["n"]!.GetValue<int>());
            }
        }

        await sender;
        Assert.Equal(Enumerable.Range(1, 12), received);
        Assert.True(connections > 1, "the server was expected to close the stream at least once");
    }

    [Fact]
    public async Task A_GET_resumed_from_an_id_ahead_of_the_stream_does_not_make_a_fresh_GET_skip_what_it_missed()
    {
        var mcp = As("dave");
        var sessionId = await mcp.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var n = 1; n <= 2; n++)
        {
            await NotifyAsync(sessionId, n, timeout.Token);
        }

        // Streams live 300 ms here: each read ends when the server closes its stream.
        // An id the stream never reached (a made-up one, or one kept across a restart of an in-memory replay buffer).
        Assert.Empty(await ReadStreamAsync(mcp, "g_999", timeout.Token));

        // What this connection never wrote is not delivered: a fresh GET still gets both notifications.
        Assert.Equal(["g_1", "g_2"], (await ReadStreamAsync(mcp, null, timeout.Token)).Select(e => e.Id));
    }
}
