using System.Diagnostics;
using McpCqrs.Mcp.InProcess;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using OpenTelemetry.Trace;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>
/// Tools, resources and prompts called in-process as a given principal (<see cref="McpInProcessClient"/>), on a host
/// whose permissions are enforced (the embedded OpenIddict back-end) over PostgreSQL with the sample data: the same
/// permission checks, validation, handlers and spans as a call over HTTP.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class InProcessCallTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly System.Security.Claims.ClaimsPrincipal Reader = McpInProcessClient.Principal("report-job", scopes: ["tickets:read"]);
    private static readonly System.Security.Claims.ClaimsPrincipal Agent = McpInProcessClient.Principal("kim", scopes: ["tickets:read", "tickets:write"], name: "Kim Agent");
    private readonly List<Activity> _spans = [];
    private string _database = null!;
    private TestHost _host = null!;

    private McpInProcessClient Mcp => _host.Services.GetRequiredService<McpInProcessClient>();

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _host = await TestHost.StartOnPostgresAsync(
            _database,
            seed: true,
            more: new Dictionary<string, string?> { ["Auth:Backend"] = "OpenIddict", ["Telemetry:Enabled"] = "true" },
            services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await postgres.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task A_selector_is_called_as_a_principal_and_traced_like_a_call_over_http()
    {
        using var root = new Activity("background-job").SetIdFormat(ActivityIdFormat.W3C).Start();
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;

        var result = await Mcp.CallToolAsync("list_tickets", new Dictionary<string, object?> { ["filter"] = "id<=2", ["orderBy"] = "id" }, Reader);
        root.Stop();

        Assert.NotEqual(true, result.IsError);
        var items = result.StructuredContent!.Value.GetProperty("items");
        Assert.Equal([1, 2], items.EnumerateArray().Select(i => i.GetProperty("id").GetInt32()));
        List<Activity> trace;
        lock (_spans)
        {
            trace = [.. _spans.Where(s => s.TraceId == root.TraceId)];
        }

        var span = Assert.Single(trace, s => s.DisplayName.StartsWith("tools/call", StringComparison.Ordinal) || s.OperationName == "mcp.tools.call");
        Assert.Equal("list_tickets", span.GetTagItem("gen_ai.tool.name"));
    }

    [Fact]
    public async Task A_principal_without_the_scope_is_refused_as_over_http()
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => Mcp.CallToolAsync("assign_ticket", new Dictionary<string, object?> { ["ticketId"] = 1, ["assignee"] = "kim" }, Reader));
        var anonymous = await Assert.ThrowsAsync<McpProtocolException>(() => Mcp.CallToolAsync("get_ticket", new Dictionary<string, object?> { ["id"] = 1 }));

        Assert.Equal(-32001, (int)error.ErrorCode);
        Assert.Contains("tickets:write", error.Message, StringComparison.Ordinal);
        Assert.Equal(-32001, (int)anonymous.ErrorCode);
    }

    [Fact]
    public async Task Invalid_arguments_are_a_tool_error_the_caller_can_read()
    {
        var result = await Mcp.CallToolAsync("add_comment", new Dictionary<string, object?> { ["ticketId"] = 1, ["body"] = string.Empty }, Agent);

        Assert.True(result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.Contains("validation_error", text, StringComparison.Ordinal);
        Assert.Contains("body", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_command_runs_as_the_principal_and_its_resource_and_prompt_show_the_change()
    {
        var comment = await Mcp.CallToolAsync("add_comment", new Dictionary<string, object?> { ["ticketId"] = 2, ["body"] = "Checked the printer in-process." }, Agent);
        var resource = await Mcp.ReadResourceAsync("tickets://2", Reader);
        var prompt = await Mcp.GetPromptAsync("triage_ticket", new Dictionary<string, string> { ["ticketId"] = "2" }, Reader);

        Assert.NotEqual(true, comment.IsError);
        Assert.Equal("Kim Agent", comment.StructuredContent!.Value.GetProperty("author").GetString());
        var text = Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text;
        Assert.Contains("Checked the printer in-process.", text, StringComparison.Ordinal);
        Assert.NotEmpty(prompt.Messages);
    }

    [Fact]
    public async Task A_listing_is_the_callers_and_an_unknown_method_is_method_not_found()
    {
        var tools = await Mcp.ListToolsAsync(Reader);
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => Mcp.SendAsync("tools/frobnicate", [], Reader));

        Assert.Contains(tools.Tools, t => t.Name == "list_tickets");
        Assert.Equal(McpErrorCode.MethodNotFound, unknown.ErrorCode);
    }
}
