using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.RateLimiting;

/// <summary>Rate limits through the real host: MCP answers a JSON-RPC error with retryAfter, REST a 429; Redis shares them.</summary>
public sealed class RateLimitedHostTests
{
    private static Dictionary<string, string?> Limits(int permits, string? redis = null, string? prefix = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:tight:Algorithm"] = "FixedWindow",
            ["RateLimiting:Policies:tight:PermitLimit"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:Policies:tight:Window"] = "00:10:00",
            ["RateLimiting:Bindings:get_customer:0"] = "tight",
        };
        if (redis is not null)
        {
            settings["Mcp:Redis"] = redis;
            settings["RateLimiting:RedisKeyPrefix"] = prefix;
        }

        return settings;
    }

    [Fact]
    public async Task Over_the_limit_MCP_gets_a_JSON_RPC_error_with_retry_after_and_REST_a_429()
    {
        await using var host = await TestHost.StartOnSqliteAsync(more: Limits(2));
        var mcp = new RawMcp(host.Client);
        await mcp.InitializeAsync();
        const string call = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer","arguments":{"id":1}}}""";

        Assert.Equal(HttpStatusCode.OK, (await mcp.PostAsync(call)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/customers/1")).StatusCode);
        var refused = await RawMcp.JsonAsync(await mcp.PostAsync(call));
        var rest = await host.Client.GetAsync("/api/customers/1");

        Assert.Equal(-32000, refused["error"]!["code"]!.GetValue<int>());
        Assert.InRange(refused["error"]!["data"]!["retryAfter"]!.GetValue<int>(), 1, 600);
        Assert.Equal(HttpStatusCode.TooManyRequests, rest.StatusCode);
        Assert.InRange(int.Parse(rest.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        Assert.Equal("rate_limited", JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        // Other bindings are not limited.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/tickets/1")).StatusCode);
    }

    [Fact]
    public async Task Two_hosts_sharing_one_Redis_share_one_limit()
    {
        var redis = Environment.GetEnvironmentVariable("MCPCQRS_TEST_REDIS");
        Assert.False(
            string.IsNullOrWhiteSpace(redis),
            "No Redis for the integration tests: export MCPCQRS_TEST_REDIS=127.0.0.1:6379 with a Redis server running (bash .ci/run starts one).");
        var prefix = $"mcpcqrs:test:{Guid.NewGuid():N}";
        await using var a = await TestHost.StartOnSqliteAsync(more: Limits(3, redis, prefix));
        await using var b = await TestHost.StartOnSqliteAsync(more: Limits(3, redis, prefix));

        var statuses = new List<HttpStatusCode>();
        foreach (var host in (TestHost[])[a, b, a, b])
        {
            statuses.Add((await host.Client.GetAsync("/api/customers/1")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
