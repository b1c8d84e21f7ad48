using System.Text.Json.Nodes;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Domain.Tickets;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Mcp.AspNetCore;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// A request this server sends its client (here <c>elicitation/create</c>) that is never answered times out after
/// <c>Mcp:ClientRequestTimeout</c>: the call ends with a JSON-RPC error that names the request and the time waited,
/// nothing is changed, and nothing of the call stays held.
/// </summary>
public sealed class ClientRequestTimeoutTests
{
    [Fact]
    public async Task An_unanswered_elicitation_times_out_with_an_error_naming_the_request_and_the_call_changes_nothing()
    {
        await using var host = await TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?> { ["Mcp:ClientRequestTimeout"] = "00:00:01" });
        var mcp = new RawMcp(host.Client);
        await mcp.InitializeAsync(capabilities: new JsonObject { ["elicitation"] = new JsonObject() });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await mcp.SendAsync(
            mcp.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"close_ticket","arguments":{"ticketId":1,"resolution":"Solved."}}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var (_, request) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal("elicitation/create", request["method"]!.GetValue<string>());

        // The client never answers.
        var (_, final) = await sse.NextMessageAsync(timeout.Token);

        Assert.Equal(5, final["id"]!.GetValue<int>());
        var error = final["error"]!;
        Assert.Equal(-32004, error["code"]!.GetValue<int>());
        Assert.Contains("elicitation/create", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("elicitation/create", error["data"]!["method"]!.GetValue<string>());
        Assert.Equal(request["id"]!.GetValue<string>(), error["data"]!["requestId"]!.GetValue<string>());
        Assert.Equal(1000, error["data"]!["timeoutMs"]!.GetValue<long>());
        Assert.Equal(0, host.Services.GetRequiredService<InFlightRequests>().Count);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IAppDbContext>();
        Assert.NotEqual(TicketStatus.Closed, (await db.FirstOrDefaultAsync(db.Tickets.Where(t => t.Id == 1), CancellationToken.None))!.Status);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    public async Task A_client_request_timeout_that_is_not_positive_stops_the_start(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?> { ["Mcp:ClientRequestTimeout"] = value }));

        Assert.Contains("ClientRequestTimeout", error.ToString(), StringComparison.Ordinal);
    }
}
