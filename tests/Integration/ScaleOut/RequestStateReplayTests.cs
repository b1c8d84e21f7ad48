using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;
using Xunit.Abstractions;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// A 2026-07-28 <c>requestState</c> is accepted once across instances: two hosts share one Redis (as behind a plain
/// load balancer), and a retry accepted by either is refused when it comes again, to the same instance or the other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RequestStateReplayTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Tool = "test_input_required_result_request_state";

    private HostPair _pair = null!;

    public async Task InitializeAsync() => _pair = await HostPair.StartAsync(postgres, services => services.AddConformanceFixtures());

    public Task DisposeAsync() => _pair.DisposeAsync();

    internal static JsonObject Retry(string tool, string state, JsonNode id, JsonObject responses, JsonObject? arguments = null)
    {
        var message = StatelessWire.Call(tool, arguments, id);
        message["params"]!["inputResponses"] = responses;
        message["params"]!["requestState"] = state;
        return message;
    }

    private static JsonObject Confirmed() => new() { ["confirm"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["ok"] = true } } };

    private static async Task<string> StateOnAsync(TestHost host, JsonNode id)
    {
        var first = Expect.InputRequired(await new StatelessHttp(host.Client).CallAsync(StatelessWire.Call(Tool, id: id)), id);
        return first["requestState"]!.GetValue<string>();
    }

    private static void AssertAlreadyUsed(Reply reply, JsonNode id)
    {
        Assert.DoesNotContain(reply.Messages, m => m.ContainsKey("result"));
        var error = Expect.Error(reply, HttpStatusCode.OK, -32602, id);
        Assert.Contains("already used", error["message"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_accepted_by_one_instance_is_refused_when_replayed_on_either()
    {
        var a = new StatelessHttp(_pair.A.Client);
        var b = new StatelessHttp(_pair.B.Client);

        // Issued on A, used on B: replayed on A and on B.
        var state = await StateOnAsync(_pair.A, 1);
        var used = await b.CallAsync(Retry(Tool, state, 2, Confirmed()));
        var replayOnA = await a.CallAsync(Retry(Tool, state, 3, Confirmed()));
        var replayOnB = await b.CallAsync(Retry(Tool, state, 4, Confirmed()));

        Assert.Contains("state-ok", Expect.Text(Expect.Complete(used, 2)), StringComparison.Ordinal);
        AssertAlreadyUsed(replayOnA, 3);
        AssertAlreadyUsed(replayOnB, 4);

        // Issued on B, used on A (the instance that did not issue it): replayed on B.
        var other = await StateOnAsync(_pair.B, 5);
        Assert.Contains("state-ok", Expect.Text(Expect.Complete(await a.CallAsync(Retry(Tool, other, 6, Confirmed())), 6)), StringComparison.Ordinal);
        AssertAlreadyUsed(await b.CallAsync(Retry(Tool, other, 7, Confirmed())), 7);
    }

    [Fact]
    public async Task Two_instances_racing_with_the_same_retry_accept_it_once()
    {
        var state = await StateOnAsync(_pair.A, 1);
        var clients = new[] { new StatelessHttp(_pair.A.Client), new StatelessHttp(_pair.B.Client) };

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => clients[i % 2].CallAsync(Retry(Tool, state, 10 + i, Confirmed()))));

        Assert.Single(replies, r => r.Final["result"]?["resultType"]?.GetValue<string>() == "complete");
        Assert.Equal(7, replies.Count(r => r.Final["error"]?["message"]?.GetValue<string>()?.Contains("already used", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task A_multi_round_request_crosses_the_instances_round_by_round()
    {
        const string tool = "test_input_required_result_multi_round";
        var a = new StatelessHttp(_pair.A.Client);
        var b = new StatelessHttp(_pair.B.Client);
        var step1 = new JsonObject { ["step1"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["value"] = "one" } } };
        JsonObject Steps() => new()
        {
            ["step1"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["value"] = "one" } },
            ["step2"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["value"] = "two" } },
        };

        var state1 = Expect.InputRequired(await a.CallAsync(StatelessWire.Call(tool, id: 1)), 1)["requestState"]!.GetValue<string>();
        var state2 = Expect.InputRequired(await b.CallAsync(Retry(tool, state1, 2, step1)), 2)["requestState"]!.GetValue<string>();
        var done = Expect.Complete(await a.CallAsync(Retry(tool, state2, 3, Steps())), 3);

        Assert.Equal("Multi-round completed: \"two\"", Expect.Text(done));
        AssertAlreadyUsed(await b.CallAsync(Retry(tool, state2, 4, Steps())), 4);
    }
}

/// <summary>
/// Redis goes away between the rounds of a destructive call: the retry is answered 503 before the handler runs
/// (the ticket stays as it was, the state stays unused) and succeeds once Redis is back; its replay is then refused.
/// </summary>
public sealed class RequestStateOutageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private PrivateRedis? _redis;

    public void Dispose() => _redis?.Dispose();

    [Fact]
    public async Task A_retry_while_redis_is_down_is_a_503_that_changes_nothing_and_the_same_state_works_once_redis_is_back()
    {
        _redis = PrivateRedis.Start(PrivateRedis.FreePort());
        await using var host = await _redis.StartHostAsync();
        var mcp = new StatelessHttp(host.Client);
        var close = new JsonObject { ["ticketId"] = 1, ["resolution"] = "Replaced the toner." };
        var confirmed = new JsonObject { ["confirm_close"] = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } } };

        var before = await StatusOfTicketOneAsync(host);
        Assert.NotEqual("Closed", before);
        var asked = Expect.InputRequired(await mcp.CallAsync(StatelessWire.Call("close_ticket", close.DeepClone().AsObject(), 1)), 1);
        Assert.IsType<JsonObject>(asked["inputRequests"]?["confirm_close"]);
        var state = asked["requestState"]!.GetValue<string>();

        _redis.Stop();
        var down = await mcp.CallAsync(RequestStateReplayTests.Retry("close_ticket", state, 2, confirmed.DeepClone().AsObject(), close.DeepClone().AsObject()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Contains("unavailable", down.Final["error"]?["message"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await StatusOfTicketOneAsync(host));

        // Back: the same state was not used up by the outage, so the retry goes through, once.
        _redis.Restart();
        var deadline = DateTime.UtcNow + Patience;
        var attempts = 0;
        Reply retried;
        do
        {
            attempts++;
            retried = await mcp.CallAsync(RequestStateReplayTests.Retry("close_ticket", state, 3, confirmed.DeepClone().AsObject(), close.DeepClone().AsObject()));
            Assert.True(retried.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected answer while Redis comes back: {retried}");
            Assert.True(retried.Status == HttpStatusCode.OK || DateTime.UtcNow < deadline, $"still 503 after {Patience.TotalSeconds} s ({attempts} attempts): {retried}");
            if (retried.Status != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }
        while (retried.Status != HttpStatusCode.OK);

        output.WriteLine($"the retry went through after {attempts} attempt(s)");
        Assert.Equal("Closed", Expect.Complete(retried, 3)["structuredContent"]?["status"]?.GetValue<string>());
        Assert.Equal("Closed", await StatusOfTicketOneAsync(host));
        var replay = await mcp.CallAsync(RequestStateReplayTests.Retry("close_ticket", state, 4, confirmed.DeepClone().AsObject(), close.DeepClone().AsObject()));
        Assert.Contains("already used", Expect.Error(replay, HttpStatusCode.OK, -32602, 4)["message"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string?> StatusOfTicketOneAsync(TestHost host) =>
        JsonNode.Parse(await host.Client.GetStringAsync("/api/tickets/1"))?["status"]?.GetValue<string>();
}
