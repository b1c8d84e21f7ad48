using System.Text.Json;
using McpCqrs.Querying;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Output;
using McpCqrs.Toon;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Output;

/// <summary>
/// The output format through <see cref="McpCallToolHandler"/>: per call (<c>_meta["mcpcqrs/outputFormat"]</c>, carried
/// as <see cref="McpCallTool.Format"/>) over per binding over the server default; the text changes, the structured
/// content never does.
/// </summary>
public sealed class McpCallToolOutputTests : IDisposable
{
    private readonly RecordingLogger<ToonOutputFormatter> _log = new();
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private static ToolInvoker Returns(object? result) => (_, _, _) => ValueTask.FromResult(result);

    private McpCallToolHandler Handler(OutputOptions? options = null, params ToolRegistration[] tools) =>
        new(new McpCatalog(tools, _ => []), null!, _services, new ToonOutputFormatter(options ?? new OutputOptions(), _log));

    private static ToolRegistration Rows(OutputFormat output, int count = 3) =>
        new(typeof(ListOutputRows), "rows", Invoker: Returns(OutputSamples.Rows(count)), Output: output);

    private static JsonElement ExpectedRows(int count = 3) => JsonSerializer.SerializeToElement(OutputSamples.Rows(count), AppJson.Options);

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    private static void AssertJson(CallToolResult result, JsonElement expected)
    {
        Assert.Equal(expected.GetRawText(), result.StructuredContent!.Value.GetRawText());
        Assert.Equal(expected.GetRawText(), Text(result));
        Assert.Null(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Meta);
    }

    private static void AssertToon(CallToolResult result, JsonElement expected)
    {
        Assert.Equal(expected.GetRawText(), result.StructuredContent!.Value.GetRawText());
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        Assert.False(text.Text.StartsWith('{'), text.Text);
        OutputSamples.AssertDecodesTo(expected, text.Text);
        Assert.Equal("toon", text.Meta![OutputFormats.MetaKey]!.GetValue<string>());
        Assert.Equal(ToonInfo.SpecVersion, text.Meta[OutputFormats.ToonSpecMetaKey]!.GetValue<string>());
        Assert.NotEqual(true, result.IsError);
    }

    [Fact]
    public async Task A_binding_without_a_format_gets_the_server_default_json()
    {
        var result = await Handler(null, Rows(OutputFormat.Default)).Handle(new McpCallTool("rows", null), default);

        AssertJson(result, ExpectedRows());
    }

    [Fact]
    public async Task A_binding_without_a_format_gets_a_configured_server_default()
    {
        var options = new OutputOptions { DefaultFormat = OutputFormat.Toon };

        var result = await Handler(options, Rows(OutputFormat.Default)).Handle(new McpCallTool("rows", null), default);

        AssertToon(result, ExpectedRows());
    }

    [Fact]
    public async Task A_toon_binding_writes_toon_text_and_json_structured_content()
    {
        var result = await Handler(null, Rows(OutputFormat.Toon)).Handle(new McpCallTool("rows", null), default);

        AssertToon(result, ExpectedRows());
        Assert.StartsWith("items[3]{id,name,active,owner}:\n", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_binding_beats_a_toon_server_default()
    {
        var options = new OutputOptions { DefaultFormat = OutputFormat.Toon };

        var result = await Handler(options, Rows(OutputFormat.Json)).Handle(new McpCallTool("rows", null), default);

        AssertJson(result, ExpectedRows());
    }

    [Theory]
    [InlineData(OutputFormat.Toon, OutputFormat.Json)]
    [InlineData(OutputFormat.Default, OutputFormat.Json)]
    [InlineData(OutputFormat.Auto, OutputFormat.Json)]
    public async Task A_per_call_json_beats_the_binding(OutputFormat binding, OutputFormat perCall)
    {
        var options = new OutputOptions { DefaultFormat = OutputFormat.Toon };

        var result = await Handler(options, Rows(binding)).Handle(new McpCallTool("rows", null, perCall), default);

        AssertJson(result, ExpectedRows());
    }

    [Theory]
    [InlineData(OutputFormat.Json, OutputFormat.Toon)]
    [InlineData(OutputFormat.Default, OutputFormat.Toon)]
    [InlineData(OutputFormat.Json, OutputFormat.Auto)]
    public async Task A_per_call_toon_or_auto_beats_the_binding(OutputFormat binding, OutputFormat perCall)
    {
        var result = await Handler(null, Rows(binding)).Handle(new McpCallTool("rows", null, perCall), default);

        AssertToon(result, ExpectedRows());
    }

    [Fact]
    public async Task A_per_call_default_keeps_the_binding()
    {
        var result = await Handler(null, Rows(OutputFormat.Toon)).Handle(new McpCallTool("rows", null, OutputFormat.Default), default);

        AssertToon(result, ExpectedRows());
    }

    [Fact]
    public async Task The_meta_of_a_call_read_by_FromMeta_reaches_the_handler()
    {
        var meta = System.Text.Json.JsonSerializer.SerializeToElement(new System.Text.Json.Nodes.JsonObject { ["mcpcqrs/outputFormat"] = "toon" });

        var result = await Handler(null, Rows(OutputFormat.Json)).Handle(new McpCallTool("rows", null, OutputFormats.FromMeta(meta)), default);

        AssertToon(result, ExpectedRows());
    }

    [Fact]
    public async Task Auto_on_a_wrapped_list_of_uniform_objects_is_toon()
    {
        IReadOnlyList<OutputRow> rows = OutputSamples.Rows(2).Items;
        var handler = Handler(null, new ToolRegistration(typeof(ListOutputRowArray), "array", Invoker: Returns(rows), Output: OutputFormat.Auto));

        var result = await handler.Handle(new McpCallTool("array", null), default);

        var expected = JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement> { ["result"] = JsonSerializer.SerializeToElement(rows, AppJson.Options) });
        AssertToon(result, expected);
        Assert.StartsWith("result[2]{id,name,active,owner}:", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_on_a_document_is_json()
    {
        var document = new OutputDocument("t", ["a", "b"], new OutputRow(1, "x", true, null));
        var handler = Handler(null, new ToolRegistration(typeof(GetOutputDocument), "doc", Invoker: Returns(document), Output: OutputFormat.Auto));

        var result = await handler.Handle(new McpCallTool("doc", null), default);

        AssertJson(result, JsonSerializer.SerializeToElement(document, AppJson.Options));
    }

    [Fact]
    public async Task Forced_toon_on_a_document_decodes_to_its_structured_content()
    {
        var document = new OutputDocument("Hello, world: \"quoted\"", ["a", "b,c"], new OutputRow(1, "- x", true, null));
        var handler = Handler(null, new ToolRegistration(typeof(GetOutputDocument), "doc", Invoker: Returns(document), Output: OutputFormat.Toon));

        var result = await handler.Handle(new McpCallTool("doc", null), default);

        AssertToon(result, JsonSerializer.SerializeToElement(document, AppJson.Options));
    }

    [Fact]
    public async Task Content_results_are_untouched_whatever_the_format()
    {
        var card = new ToolContent([new TextContentBlock { Text = "a card" }], OutputSamples.Parse("""{"items":[{"id":1},{"id":2}]}"""));
        var handler = Handler(null, new ToolRegistration(typeof(RenderOutputCard), "card", Invoker: Returns(card), Output: OutputFormat.Toon));

        var result = await handler.Handle(new McpCallTool("card", null, OutputFormat.Toon), default);

        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        Assert.Equal("a card", text.Text);
        Assert.Null(text.Meta);
        Assert.Equal("""{"items":[{"id":1},{"id":2}]}""", result.StructuredContent!.Value.GetRawText());
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task A_result_toon_cannot_hold_is_json_text_and_a_warning_never_a_failed_call()
    {
        // A handler passing on JSON with a repeated property name: TryEncode refuses it.
        var items = OutputSamples.Parse("""[{"id":1,"id":2}]""");
        var returned = new Dictionary<string, JsonElement> { ["items"] = items, ["page"] = OutputSamples.Parse("1") };
        var duplicate = OutputSamples.Parse("""{"items":[{"id":1,"id":2}],"page":1}""");
        var handler = Handler(null, new ToolRegistration(typeof(GetOutputJson), "dupes", Invoker: Returns(returned), Output: OutputFormat.Toon));

        var result = await handler.Handle(new McpCallTool("dupes", null), default);

        Assert.NotEqual(true, result.IsError);
        AssertJson(result, duplicate);
        var (level, message, _) = Assert.Single(_log.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Contains("dupes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_binding_carries_the_registered_format()
    {
        var catalog = new McpCatalog([Rows(OutputFormat.Auto), new ToolRegistration(typeof(GetOutputDocument), "doc")], _ => []);

        Assert.True(catalog.TryGetTool("rows", out var rows));
        Assert.True(catalog.TryGetTool("doc", out var doc));
        Assert.Equal(OutputFormat.Auto, rows.Output);
        Assert.Equal(OutputFormat.Default, doc.Output);
    }

    [Fact]
    public void An_undefined_format_fails_at_start_naming_the_tool()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new McpCatalog([Rows((OutputFormat)7)], _ => []));

        Assert.Contains("'rows'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attributes_carry_the_format_to_the_registration()
    {
        var builder = new McpCatalogBuilder().AddToolsFromAssembly(typeof(McpCallToolOutputTests).Assembly);

        Assert.Equal(OutputFormat.Toon, Assert.Single(builder.Tools, t => t.Name == "attributed_toon_tool").Output);
        Assert.Equal(OutputFormat.Auto, Assert.Single(builder.Tools, t => t.Name == "attributed_auto_selector").Output);
    }
}

/// <summary>Returns a raw JSON value.</summary>
public sealed record GetOutputJson : Mediator.IQuery<Dictionary<string, JsonElement>>;

/// <summary>Returns content blocks.</summary>
public sealed record RenderOutputCard : Mediator.IQuery<ToolContent>;

[McpTool("attributed_toon_tool", Output = OutputFormat.Toon)]
public sealed record AttributedToonTool : Mediator.IQuery<Page<OutputRow>>;

[McpSelector("attributed_auto_selector", Fields = typeof(AttributedSelectorFields), Output = OutputFormat.Auto)]
public sealed record AttributedAutoSelector(string? Filter = null, string? OrderBy = null, int Page = 1, int PageSize = 10)
    : Mediator.IQuery<Page<OutputRow>>, McpCqrs.Querying.ISelectorQuery;

public static class AttributedSelectorFields
{
    public static McpCqrs.Querying.FieldMap<OutputRow> Map { get; } =
        new McpCqrs.Querying.FieldMap<OutputRow>().Map("id", r => r.Id);
}
