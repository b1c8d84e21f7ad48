using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Domain.Tickets;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Mcp.AspNetCore;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Two instances sharing one PostgreSQL and one Redis, as behind a round-robin balancer: a 2025-11-25 call runs on
/// A and waits for its client (elicitation, sampling); the client's answer, its <c>notifications/cancelled</c> and
/// its <c>DELETE</c> of the session reach B, and B hands them to A through Redis.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossInstanceClientRequestTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HostPair _pair = null!;

    public async Task InitializeAsync() => _pair = await HostPair.StartAsync(postgres, services => services.AddConformanceFixtures());

    public Task DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task An_elicitation_answered_on_the_other_instance_completes_the_call()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var (onA, onB) = await SessionAsync();
        using var call = await StartAsync(onA, CloseTicket(1, id: 10), timeout.Token);
        var request = await call.NextAsync(timeout.Token);
        Assert.Equal("elicitation/create", request["method"]!.GetValue<string>());

        var answer = await onB.PostAsync(Answer(request, new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = true } }));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var final = await call.NextAsync(timeout.Token);
        Assert.Equal(10, final["id"]!.GetValue<int>());
        Assert.Null(final["result"]!["isError"]);
        Assert.Equal(TicketStatus.Closed, await StatusOfAsync(1));
    }

    [Fact]
    public async Task A_sampling_request_answered_on_the_other_instance_completes_the_call()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var (onA, onB) = await SessionAsync();
        using var call = await StartAsync(onA, Sampling(id: 11), timeout.Token);
        var request = await call.NextAsync(timeout.Token);
        Assert.Equal("sampling/createMessage", request["method"]!.GetValue<string>());

        var answer = await onB.PostAsync(Answer(request, new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = new JsonObject { ["type"] = "text", ["text"] = "answered on B" },
            ["model"] = "test-model",
        }));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var final = await call.NextAsync(timeout.Token);
        Assert.Equal(11, final["id"]!.GetValue<int>());
        Assert.Equal("LLM response: answered on B", final["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Notifications_cancelled_sent_to_the_other_instance_cancels_the_call()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var (onA, onB) = await SessionAsync();
        using var call = await StartAsync(onA, Sampling(id: 12), timeout.Token);
        Assert.Equal("sampling/createMessage", (await call.NextAsync(timeout.Token))["method"]!.GetValue<string>());

        var cancel = await onB.PostAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12,"reason":"gave up"}}""");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var final = await call.NextAsync(timeout.Token);
        Assert.Equal(12, final["id"]!.GetValue<int>());
        Assert.Equal(-32800, final["error"]!["code"]!.GetValue<int>());
        Assert.Equal(0, _pair.A.Services.GetRequiredService<InFlightRequests>().Count);
    }

    [Fact]
    public async Task Deleting_the_session_on_the_other_instance_cancels_the_call_running_for_it_and_changes_nothing()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var (onA, onB) = await SessionAsync();
        using var call = await StartAsync(onA, CloseTicket(3, id: 13), timeout.Token);
        Assert.Equal("elicitation/create", (await call.NextAsync(timeout.Token))["method"]!.GetValue<string>());

        var deleted = await onB.SendAsync(onB.Request(HttpMethod.Delete));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var final = await call.NextAsync(timeout.Token);
        Assert.Equal(13, final["id"]!.GetValue<int>());
        Assert.Equal(-32800, final["error"]!["code"]!.GetValue<int>());
        Assert.Equal(0, _pair.A.Services.GetRequiredService<InFlightRequests>().Count);
        Assert.NotEqual(TicketStatus.Closed, await StatusOfAsync(3));
    }

    /// <summary>A 2025-11-25 session opened on A (declaring elicitation and sampling), and the same session addressed to B.</summary>
    private async Task<(RawMcp OnA, RawMcp OnB)> SessionAsync()
    {
        var onA = new RawMcp(_pair.A.Client);
        var sessionId = await onA.InitializeAsync(capabilities: new JsonObject { ["elicitation"] = new JsonObject(), ["sampling"] = new JsonObject() });
        return (onA, new RawMcp(_pair.B.Client) { SessionId = sessionId });
    }

    private static async Task<RunningCall> StartAsync(RawMcp mcp, string body, CancellationToken cancellationToken)
    {
        var response = await mcp.SendAsync(mcp.Request(HttpMethod.Post, body), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new RunningCall(response, new SseReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
    }

    private static string CloseTicket(int ticket, int id) =>
        Call(id, "close_ticket", new JsonObject { ["ticketId"] = ticket, ["resolution"] = "Solved." });

    private static string Sampling(int id) => Call(id, "test_sampling", new JsonObject { ["prompt"] = "hi" });

    private static string Call(int id, string tool, JsonObject arguments) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["method"] = "tools/call",
        ["params"] = new JsonObject { ["name"] = tool, ["arguments"] = arguments },
    }.ToJsonString();

    private static string Answer(JsonNode request, JsonObject result) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(), ["result"] = result }.ToJsonString();

    private async Task<TicketStatus> StatusOfAsync(int ticket)
    {
        await using var scope = _pair.A.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IAppDbContext>();
        return (await db.FirstOrDefaultAsync(db.Tickets.Where(t => t.Id == ticket), CancellationToken.None))!.Status;
    }

    /// <summary>A call's response stream, read one JSON-RPC message at a time.</summary>
    private sealed class RunningCall(HttpResponseMessage response, SseReader sse) : IDisposable
    {
        public async Task<JsonNode> NextAsync(CancellationToken cancellationToken) => (await sse.NextMessageAsync(cancellationToken)).Message;

        public void Dispose()
        {
            sse.Dispose();
            response.Dispose();
        }
    }
}
