using System.Net;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Streams;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>The bounds of <c>Mcp:Limits</c> on sessions and their streams, and streams that keep their session alive.</summary>
public sealed class SessionLimitTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services => services.AddTestUserAuthentication(),
        new Dictionary<string, string?>
        {
            ["Mcp:Limits:MaxSessionsPerPrincipal"] = "2",
            ["Mcp:Limits:SessionsPerMinutePerPrincipal"] = "4",
            ["Mcp:Sessions:IdleTimeout"] = "00:00:04",
            ["Mcp:KeepAliveInterval"] = "00:00:00.100",
            ["Mcp:Limits:MaxStreamsPerSession"] = "1",
            ["Mcp:Limits:MaxSubscriptionsPerSession"] = "1",

            // The rate limits' partition does not decide whose sessions count together: a principal's do.
            ["RateLimiting:PartitionBy"] = "Global",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private RawMcp As(string user)
    {
        var client = new HttpClient { BaseAddress = _host.Address };
        client.DefaultRequestHeaders.Add(TestUserAuthentication.Header, user);
        return new RawMcp(client);
    }

    private static async Task<(HttpResponseMessage Response, System.Text.Json.Nodes.JsonObject Body)> InitializeRawAsync(RawMcp mcp)
    {
        mcp.SessionId = null;
        var response = await mcp.PostAsync(RawMcp.Initialize("2025-11-25"));
        return (response, await RawMcp.JsonAsync(response));
    }

    [Fact]
    public async Task Sessions_over_the_per_principal_limit_are_refused_until_one_ends_and_others_still_initialize()
    {
        var alice = As("alice");
        var first = await alice.InitializeAsync();
        await alice.InitializeAsync();

        var (response, body) = await InitializeRawAsync(alice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        Assert.Equal(McpLimitExceededException.Code, body["error"]!["code"]!.GetValue<int>());
        Assert.Equal("Mcp:Limits:MaxSessionsPerPrincipal", body["error"]!["data"]!["limit"]!.GetValue<string>());
        Assert.Equal(2, body["error"]!["data"]!["max"]!.GetValue<int>());

        await As("bob").InitializeAsync();

        alice.SessionId = first;
        Assert.Equal(HttpStatusCode.NoContent, (await alice.SendAsync(alice.Request(HttpMethod.Delete))).StatusCode);
        await alice.InitializeAsync();
    }

    [Fact]
    public async Task New_sessions_over_the_rate_get_429_with_retry_after_and_others_still_initialize()
    {
        var carol = As("carol");
        HttpResponseMessage? refused = null;
        System.Text.Json.Nodes.JsonObject? body = null;
        for (var attempt = 0; attempt < 5 && refused is null; attempt++)
        {
            var (response, json) = await InitializeRawAsync(carol);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                (refused, body) = (response, json);
            }
            else if (response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
            {
                // Stay under the open-sessions limit: only the rate is tried here.
                carol.SessionId = ids.Single();
                await carol.SendAsync(carol.Request(HttpMethod.Delete));
            }
        }

        Assert.NotNull(refused);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(McpLimitExceededException.Code, body!["error"]!["code"]!.GetValue<int>());
        Assert.Equal("Mcp:Limits:SessionsPerMinutePerPrincipal", body["error"]!["data"]!["limit"]!.GetValue<string>());
        Assert.True(body["error"]!["data"]!["retryAfter"]!.GetValue<int>() >= 1);

        await As("dave").InitializeAsync();
    }

    [Fact]
    public async Task A_Last_Event_ID_naming_a_stream_the_session_never_had_is_refused()
    {
        var erin = As("erin");
        await erin.InitializeAsync();
        var request = erin.Request(HttpMethod.Get, accept: "text/event-stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "r0123456789abcdef_3");

        using var response = await erin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("stream", (await RawMcp.JsonAsync(response))["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_GET_stream_keeps_its_session_alive_past_the_idle_timeout()
    {
        var frank = As("frank");
        var sessionId = await frank.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await frank.SendAsync(frank.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // A keep-alive comes every 100 ms: 100 of them span more than two idle timeouts of 4 s. (The
        // store moves a session's idle clock once a second, so the idle timeout leaves room for a busy machine's stalls.)
        var keepAlives = 0;
        while (keepAlives < 100 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(": keep-alive", StringComparison.Ordinal))
            {
                keepAlives++;
            }
        }

        Assert.Equal(100, keepAlives);
        var notifier = _host.Services.GetRequiredService<IMcpNotifier>();
        Assert.True(await notifier.NotifyAsync(sessionId, new JsonRpcNotification { Method = "notifications/test/alive" }, timeout.Token));
        string? data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Length > "data: ".Length)
            {
                data = line;
                break;
            }
        }

        Assert.Contains("notifications/test/alive", data, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await frank.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")).StatusCode);
    }
    private static string Subscribe(string uri, int id = 2) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = "resources/subscribe",
            ["params"] = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri },
        }.ToJsonString();

    [Fact]
    public async Task Subscribing_to_an_unknown_ticket_is_resource_not_found_as_a_read_is()
    {
        var grace = As("grace");
        await grace.InitializeAsync();

        var read = await RawMcp.JsonAsync(await grace.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"tickets://987654"}}"""));
        var subscribed = await RawMcp.JsonAsync(await grace.PostAsync(Subscribe("tickets://987654")));

        Assert.Equal(-32002, read["error"]!["code"]!.GetValue<int>());
        Assert.Equal(-32002, subscribed["error"]!["code"]!.GetValue<int>());
        Assert.Equal(-32002, (await RawMcp.JsonAsync(await grace.PostAsync(Subscribe("nothing://1"))))["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_session_over_its_subscription_limit_is_refused_and_another_session_still_subscribes()
    {
        var ivan = As("ivan");
        await ivan.InitializeAsync();
        Assert.Null((await RawMcp.JsonAsync(await ivan.PostAsync(Subscribe("tickets://1"))))["error"]);

        var refused = await RawMcp.JsonAsync(await ivan.PostAsync(Subscribe("tickets://2")));

        Assert.Equal(McpLimitExceededException.Code, refused["error"]!["code"]!.GetValue<int>());
        Assert.Equal("Mcp:Limits:MaxSubscriptionsPerSession", refused["error"]!["data"]!["limit"]!.GetValue<string>());
        Assert.Null((await RawMcp.JsonAsync(await ivan.PostAsync(Subscribe("tickets://1"))))["error"]);
        var judy = As("judy");
        await judy.InitializeAsync();
        Assert.Null((await RawMcp.JsonAsync(await judy.PostAsync(Subscribe("tickets://2"))))["error"]);
    }

    [Fact]
    public async Task A_stream_over_the_per_session_limit_is_refused_with_409_and_admitted_once_one_closes()
    {
        var kim = As("kim");
        var sessionId = await kim.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var replay = _host.Services.GetRequiredService<ISseReplayBuffer>();
        var resumable = await replay.AppendAsync(sessionId, "rkept", string.Empty, timeout.Token);
        HttpRequestMessage Resume()
        {
            var request = kim.Request(HttpMethod.Get, accept: "text/event-stream");
            request.Headers.TryAddWithoutValidation("Last-Event-ID", resumable.Id);
            return request;
        }

        var get = await kim.SendAsync(kim.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using (var refused = await kim.SendAsync(Resume(), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("Mcp:Limits:MaxStreamsPerSession", (await RawMcp.JsonAsync(refused))["error"]!["data"]!["limit"]!.GetValue<string>());
        }

        var other = As("lou");
        await other.InitializeAsync();
        using (var othersStream = await other.SendAsync(other.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, othersStream.StatusCode);
        }

        // The server sees the GET stream close when its connection does; until then a resume stays refused.
        get.Dispose();
        HttpStatusCode status = HttpStatusCode.Conflict;
        for (var attempt = 0; attempt < 100 && status == HttpStatusCode.Conflict; attempt++)
        {
            using var resumed = await kim.SendAsync(Resume(), HttpCompletionOption.ResponseHeadersRead);
            status = resumed.StatusCode;
            if (status == HttpStatusCode.Conflict)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
