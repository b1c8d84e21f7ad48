using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Writes while Redis is down: a write that needs no Redis is committed once and answered as a success (the
/// announcement that cannot be made is not its failure, so a client has no reason to retry it); a request that
/// needs Redis (a 2025-11-25 session, a Redis-kept rate limit) answers 503 before it changes anything, and once
/// Redis is back a retry adds exactly one. Comments and tickets are counted in the database. The Redis is a private
/// <c>redis-server</c> on a free loopback port, so killing it disturbs no other test.
/// </summary>
public sealed class WriteDuringRedisOutageTests : IDisposable
{
    /// <summary>How long Redis may take to be noticed as gone, and the host to recover once it is back.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private const int Ticket = 2;

    private PrivateRedis? _redis;

    public void Dispose() => _redis?.Dispose();

    [Fact]
    public async Task A_comment_written_while_redis_is_down_over_rest_and_stateless_mcp_succeeds_and_is_committed_once()
    {
        await using var host = await StartAsync();
        var before = await CommentsAsync(host);
        await StopRedisAsync(host);

        var rest = await host.Client.PostAsJsonAsync($"/api/tickets/{Ticket}/comments", new { body = "Posted over REST during the outage." });
        var mcp = await new StatelessHttp(host.Client).CallAsync(AddComment("Posted over MCP during the outage.", id: 7));

        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        var result = Expect.Result(mcp, 7);
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        Assert.Equal(before + 2, await CommentsAsync(host));
    }

    [Fact]
    public async Task A_request_that_needs_redis_answers_503_before_it_changes_anything_and_a_retry_after_redis_returns_adds_exactly_one()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:writes:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:writes:PermitLimit"] = "1000",
            ["RateLimiting:Policies:writes:Window"] = "00:10:00",
            ["RateLimiting:Bindings:create_ticket:0"] = "writes",
            ["RateLimiting:RedisKeyPrefix"] = $"mcpcqrs:test:{Guid.NewGuid():N}:rl",
        });
        var comments = await CommentsAsync(host);
        var tickets = await TicketsAsync(host);
        var session = new RawMcp(host.Client);
        await session.InitializeAsync();
        await StopRedisAsync(host);

        // A 2025-11-25 session lives in Redis: its call is refused before the handler runs.
        var legacy = await session.PostAsync(LegacyAddComment(id: 1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, legacy.StatusCode);
        Assert.Equal(-32603, (await RawMcp.JsonAsync(legacy))["error"]!["code"]!.GetValue<int>());

        // A stateless call whose rate limit is kept in Redis: the limit cannot be checked, so the call is refused.
        var modern = new StatelessHttp(host.Client);
        var limited = await modern.CallAsync(StatelessWire.Call("create_ticket", new JsonObject { ["customerId"] = 1, ["title"] = "During the outage", ["description"] = "Refused." }, id: 2));
        var error = Expect.Error(limited, HttpStatusCode.ServiceUnavailable, -32603, 2);
        Assert.Contains("try again", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(comments, await CommentsAsync(host));
        Assert.Equal(tickets, await TicketsAsync(host));

        // Redis returns (empty: the old session is gone, the ordinary way); the client starts a session and retries once.
        _redis!.Restart();
        var retried = await RetryUntilServedAsync(async () =>
        {
            var fresh = new RawMcp(host.Client);
            var initialize = await fresh.PostAsync(RawMcp.Initialize("2025-11-25"));
            if (initialize.StatusCode != HttpStatusCode.OK)
            {
                return initialize;
            }

            fresh.SessionId = initialize.Headers.GetValues("Mcp-Session-Id").Single();
            return await fresh.PostAsync(LegacyAddComment(id: 3));
        });
        Assert.Null((await RawMcp.JsonAsync(retried))["result"]!["isError"]);
        var create = StatelessWire.Call("create_ticket", new JsonObject { ["customerId"] = 1, ["title"] = "After the outage", ["description"] = "Served." }, id: 4);
        var created = Expect.Result(await StatelessHttp.ReadAsync(await RetryUntilServedAsync(() => modern.SendAsync(create))), 4);
        Assert.NotEqual(true, created["isError"]?.GetValue<bool>());

        Assert.Equal(comments + 1, await CommentsAsync(host));
        Assert.Equal(tickets + 1, await TicketsAsync(host));
    }

    private static JsonObject AddComment(string body, int id) =>
        StatelessWire.Call("add_comment", new JsonObject { ["ticketId"] = Ticket, ["body"] = body }, id: id);

    /// <summary>The same comment as a 2025-11-25 session sends it (the session carries the version).</summary>
    private static string LegacyAddComment(int id) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["method"] = "tools/call",
        ["params"] = new JsonObject { ["name"] = "add_comment", ["arguments"] = new JsonObject { ["ticketId"] = Ticket, ["body"] = "Posted in a session during the outage." } },
    }.ToJsonString();

    private async Task<TestHost> StartAsync(IDictionary<string, string?>? more = null)
    {
        _redis = PrivateRedis.Start(PrivateRedis.FreePort());
        return await _redis.StartHostAsync(more);
    }

    /// <summary>Kills Redis and waits until the host has noticed (a session's ping answers 503), so the writes meet the outage.</summary>
    private async Task StopRedisAsync(TestHost host)
    {
        var probe = new RawMcp(host.Client);
        await probe.InitializeAsync();
        _redis!.Stop();
        var waited = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var ping = await probe.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""");
            if (ping.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            Assert.True(attempt < 200 && waited.Elapsed < Patience, $"The host did not notice Redis was gone ({attempt} pings, {waited.ElapsedMilliseconds} ms).");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends until the answer is not 503 (Redis reconnecting), bounded in count and time; every 503 changed nothing.</summary>
    private static async Task<HttpResponseMessage> RetryUntilServedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var waited = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response;
            }

            Assert.True(attempt < 200 && waited.Elapsed < Patience, $"The host did not recover after Redis returned ({attempt} attempts, {waited.ElapsedMilliseconds} ms).");
            await Task.Delay(100);
        }
    }

    private static Task<int> CommentsAsync(TestHost host) => CountAsync(host, db => db.Comments.Where(c => c.TicketId == Ticket));

    private static Task<int> TicketsAsync(TestHost host) => CountAsync(host, db => db.Tickets);

    private static async Task<int> CountAsync<T>(TestHost host, Func<IAppDbContext, IQueryable<T>> query)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IAppDbContext>();
        return await db.CountAsync(query(db), CancellationToken.None);
    }
}
