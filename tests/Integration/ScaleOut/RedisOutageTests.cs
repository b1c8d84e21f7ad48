using System.Net;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>With the shared session store unreachable, session-era requests fail clearly (503) and the host stays up.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task An_unreachable_session_store_answers_503_with_a_clear_message_and_the_host_keeps_serving()
    {
        await using var host = await TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?>
        {
            ["Mcp:Redis"] = "127.0.0.1:1,connectTimeout=500,syncTimeout=500,asyncTimeout=500",
        });
        var mcp = new RawMcp(host.Client);

        var initialize = await mcp.PostAsync(RawMcp.Initialize("2025-11-25"));
        var body = await RawMcp.JsonAsync(initialize);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, initialize.StatusCode);
        Assert.Contains("session store is unavailable", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/tickets/1")).StatusCode);
    }
}
