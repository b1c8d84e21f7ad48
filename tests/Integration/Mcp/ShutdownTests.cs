using System.Text;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>A host that stops closes its SSE streams with a retry hint, so clients reconnect (elsewhere) and resume.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_host_ends_open_streams_with_a_retry_hint()
    {
        var host = await TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?> { ["Mcp:RetryInterval"] = "00:00:00.250" });
        await using var _ = host;
        var mcp = new RawMcp(host.Client);
        await mcp.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await mcp.SendAsync(mcp.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[4096];
        var opening = Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, timeout.Token));
        Assert.StartsWith("retry: 250", opening, StringComparison.Ordinal);

        var stopping = host.StopAsync();
        var rest = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            rest.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        await stopping;
        Assert.Contains("retry: 250", rest.ToString(), StringComparison.Ordinal);
    }
}
