using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Querying;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.External;
using McpCqrs.Mcp.Output;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Toon;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Output;

/// <summary>Lists rows of one shape (a uniform array of objects) in a page envelope.</summary>
public sealed record ListOutputRows(int Count = 3) : IQuery<Page<OutputRow>>;

public sealed record OutputRow(int Id, string Name, bool Active);

public sealed class ListOutputRowsHandler : IQueryHandler<ListOutputRows, Page<OutputRow>>
{
    public ValueTask<Page<OutputRow>> Handle(ListOutputRows query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new Page<OutputRow>(
            [.. Enumerable.Range(1, query.Count).Select(i => new OutputRow(i, $"row {i}", i % 2 == 1))], 1, query.Count, query.Count));
}

/// <summary>
/// Output formats through the real host and the official MCP C# client: a selector tool bound to TOON answers with
/// TOON text and the unchanged JSON <c>structuredContent</c>. (The per-call <c>_meta</c> override is covered at the
/// handler level in the unit tests until the web layer's method table passes it on.)
/// </summary>
public sealed class OutputFormatTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartOnSqliteAsync(services =>
        {
            services.AddScoped<IQueryHandler<ListOutputRows, Page<OutputRow>>, ListOutputRowsHandler>();
            services.AddMcpCatalog(catalog => catalog
                .AddTool<ListTickets>("list_tickets_toon", r => r with { Title = "Find tickets (TOON)", Selector = TicketFields.Map, Output = OutputFormat.Toon })
                .AddTool(new ToolRegistration(typeof(ListOutputRows), "output_rows_auto", Invoker: ExternalTools.QueryInvoker<ListOutputRows, Page<OutputRow>>(), Output: OutputFormat.Auto, Public: true))
                .AddTool(new ToolRegistration(typeof(ListOutputRows), "output_rows_default", Invoker: ExternalTools.QueryInvoker<ListOutputRows, Page<OutputRow>>(), Public: true)));
        });
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_host.Address, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        });
        _client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = "2025-11-25",
            ClientInfo = new Implementation { Name = "mcpcqrs-output-tests", Version = "1.0.0" },
        });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
    }

    private static TextContentBlock Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content));

    private static void AssertToonOf(JsonElement structured, TextContentBlock text)
    {
        Assert.False(text.Text.TrimStart().StartsWith('{'), text.Text);
        var decoded = ToonDecoder.Decode(text.Text);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(structured.GetRawText()), decoded), $"TOON:\n{text.Text}\ndecodes to\n{decoded?.ToJsonString()}\nnot\n{structured.GetRawText()}");
        Assert.Equal("toon", text.Meta?[OutputFormats.MetaKey]?.GetValue<string>());
        Assert.Equal(ToonInfo.SpecVersion, text.Meta?[OutputFormats.ToonSpecMetaKey]?.GetValue<string>());
    }

    [Fact]
    public async Task A_selector_bound_to_toon_returns_toon_text_and_json_structured_content()
    {
        var result = await _client.CallToolAsync("list_tickets_toon", new Dictionary<string, object?> { ["orderBy"] = "id", ["pageSize"] = 4 });

        Assert.NotEqual(true, result.IsError);
        var page = result.StructuredContent!.Value;
        Assert.Equal(JsonValueKind.Object, page.ValueKind);
        Assert.Equal(4, page.GetProperty("items").GetArrayLength());
        Assert.Equal(1, page.GetProperty("items")[0].GetProperty("id").GetInt32());
        Assert.Equal(6, page.GetProperty("totalItems").GetInt32());
        var text = Text(result);
        Assert.StartsWith("items[4]:\n  - id: 1\n", text.Text, StringComparison.Ordinal);
        Assert.Contains("\npage: 1\npageSize: 4\ntotalItems: 6\ntotalPages: 2\nhasNext: true", text.Text, StringComparison.Ordinal);
        AssertToonOf(page, text);
    }

    [Fact]
    public async Task A_filtered_toon_page_decodes_to_its_structured_content()
    {
        var result = await _client.CallToolAsync("list_tickets_toon", new Dictionary<string, object?> { ["filter"] = "priority=High", ["orderBy"] = "id desc" });

        Assert.NotEqual(true, result.IsError);
        var items = result.StructuredContent!.Value.GetProperty("items");
        Assert.True(items.GetArrayLength() > 0);
        Assert.All(items.EnumerateArray(), t => Assert.Equal("High", t.GetProperty("priority").GetString()));
        AssertToonOf(result.StructuredContent.Value, Text(result));
    }

    [Fact]
    public async Task Its_tool_description_and_output_schema_are_those_of_a_json_tool()
    {
        var tools = await _client.ListToolsAsync();

        var toon = Assert.Single(tools, t => t.Name == "list_tickets_toon").ProtocolTool;
        var json = Assert.Single(tools, t => t.Name == "list_tickets").ProtocolTool;
        Assert.Equal(json.OutputSchema!.Value.GetRawText(), toon.OutputSchema!.Value.GetRawText());
        Assert.Equal(json.InputSchema.GetRawText(), toon.InputSchema.GetRawText());
        Assert.True(toon.Annotations?.ReadOnlyHint);
    }

    [Fact]
    public async Task Auto_writes_a_page_of_uniform_rows_as_a_toon_table()
    {
        var result = await _client.CallToolAsync("output_rows_auto", new Dictionary<string, object?> { ["count"] = 3 });

        var text = Text(result);
        Assert.Equal(
            "items[3]{id,name,active}:\n  1,row 1,true\n  2,row 2,false\n  3,row 3,true\npage: 1\npageSize: 3\ntotalItems: 3\ntotalPages: 1\nhasNext: false",
            text.Text);
        AssertToonOf(result.StructuredContent!.Value, text);
    }

    [Fact]
    public async Task A_tool_without_a_format_keeps_the_json_text_of_the_server_default()
    {
        var result = await _client.CallToolAsync("output_rows_default", new Dictionary<string, object?> { ["count"] = 2 });

        var text = Text(result);
        Assert.Equal(result.StructuredContent!.Value.GetRawText(), text.Text);
        Assert.Null(text.Meta);
        Assert.Equal(2, JsonDocument.Parse(text.Text).RootElement.GetProperty("items").GetArrayLength());
    }
}
