using System.Text.Json;
using McpCqrs.Querying;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Output;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Output;

/// <summary>
/// A tool result rendered for the wire (<see cref="RenderedToolResult"/>) answers exactly as the SDK's tool result of
/// the same content does — which <c>JsonRpcWireTests</c> holds to the serializer — with and without an era's members.
/// </summary>
public sealed class RenderedToolResultTests
{
    private static readonly RecordingLogger<ToonOutputFormatter> Log = new();

    private static ToolBinding Binding(Type requestType, OutputFormat output = OutputFormat.Default)
    {
        var catalog = new McpCatalog([new ToolRegistration(requestType, "tool", Output: output)], _ => []);
        Assert.True(catalog.TryGetTool("tool", out var binding));
        return binding;
    }

    /// <summary>Results of each shape in each text format, some with text that must be escaped.</summary>
    public static TheoryData<int> Cases => [.. Enumerable.Range(0, CaseList().Length)];

    private static (ToolBinding Binding, object? Result, IOutputFormatter Formatter, OutputFormat Expected)[] CaseList()
    {
        var toon = new ToonOutputFormatter(new OutputOptions(), Log);
        var escaped = new OutputRow(1, "quote \" back\\slash\nnew line é ✓ <tag> & 'apos' 😀", true, null);
        return
        [
            (Binding(typeof(ListOutputRows)), OutputSamples.Rows(3), JsonOutputFormatter.Instance, OutputFormat.Json),
            (Binding(typeof(ListOutputRows), OutputFormat.Toon), OutputSamples.Rows(3), toon, OutputFormat.Toon),
            (Binding(typeof(ListOutputRows), OutputFormat.Auto), new Page<OutputRow>([escaped, escaped with { Id = 2 }], 1, 2, 2), toon, OutputFormat.Toon),
            (Binding(typeof(ListOutputRows), OutputFormat.Json), new Page<OutputRow>([escaped], 1, 1, 1), toon, OutputFormat.Json),
            (Binding(typeof(ListOutputRowArray), OutputFormat.Toon), new List<OutputRow> { escaped, escaped }, toon, OutputFormat.Toon),
            (Binding(typeof(GetOutputDocument), OutputFormat.Toon), new OutputDocument("t\"itle", ["a", "b\n"], escaped), toon, OutputFormat.Toon),
            // A formatter of the user's own: its string is the text.
            (Binding(typeof(ListOutputRows), OutputFormat.Toon), OutputSamples.Rows(2), new ShoutingFormatter(), OutputFormat.Toon),
        ];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rendered_result_answers_as_its_tool_result_does(int index)
    {
        var (binding, result, formatter, expected) = CaseList()[index];
        using var rendered = RenderedToolResult.Render(binding, result, formatter, null, long.MaxValue, out var tooLarge)!;
        Assert.Null(tooLarge);
        var tool = rendered.ToResult();

        Assert.Equal(expected, rendered.Format);
        Assert.Equal(JsonSerializer.Serialize(result, binding.ResultType, McpCqrs.Mcp.Serialization.AppJson.Options), binding.WrapsResult
            ? tool.StructuredContent!.Value.GetProperty("result").GetRawText()
            : tool.StructuredContent!.Value.GetRawText());
        Assert.Equal(Utf8(JsonRpcWire.Reply(new RequestId(7), tool)), Utf8(JsonRpcWire.Reply(new RequestId(7), rendered)));
        Assert.Equal(Utf8(JsonRpcWire.ToolReply(new RequestId(7), tool, Tail)!), Utf8(JsonRpcWire.ToolReply(new RequestId(7), rendered, Tail)));
    }

    [Theory]
    [InlineData(OutputFormat.Json)]
    [InlineData(OutputFormat.Default)]
    [InlineData(OutputFormat.Toon)]
    [InlineData(OutputFormat.Auto)]
    public void A_result_nested_deeper_than_a_client_reads_fails_alike_in_every_format(OutputFormat format)
    {
        // 70 levels: the serializer writes a JsonElement as it is, the JSON a client reads stops at 64.
        var deep = Nested(70);
        var binding = Binding(typeof(GetOutputJson), format);

        Assert.ThrowsAny<JsonException>(() => RenderedToolResult.Render(binding, deep, JsonOutputFormatter.Instance, null, long.MaxValue, out _));
        Assert.ThrowsAny<JsonException>(() => RenderedToolResult.Render(binding, deep, new ToonOutputFormatter(new OutputOptions(), Log), null, long.MaxValue, out _));
        // 60 levels go out.
        using var rendered = RenderedToolResult.Render(binding, Nested(60), JsonOutputFormatter.Instance, null, long.MaxValue, out _);
        Assert.NotNull(rendered);

        static Dictionary<string, JsonElement> Nested(int depth)
        {
            using var document = JsonDocument.Parse(
                string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth), new JsonDocumentOptions { MaxDepth = 100 });
            return new() { ["a"] = document.RootElement.Clone() };
        }
    }

    [Fact]
    public void The_text_of_a_toon_result_decodes_to_its_structured_content()
    {
        var binding = Binding(typeof(ListOutputRows), OutputFormat.Toon);
        using var rendered = RenderedToolResult.Render(binding, OutputSamples.Rows(4), new ToonOutputFormatter(new OutputOptions(), Log), null, long.MaxValue, out _)!;
        var tool = rendered.ToResult();

        OutputSamples.AssertDecodesTo(tool.StructuredContent!.Value, Assert.IsType<TextContentBlock>(Assert.Single(tool.Content)).Text);
    }

    [Fact]
    public void A_result_over_the_limit_is_not_rendered_but_is_the_result_too_large_error()
    {
        var binding = Binding(typeof(ListOutputRows), OutputFormat.Toon);
        var json = JsonSerializer.SerializeToUtf8Bytes(OutputSamples.Rows(3), McpCqrs.Mcp.Serialization.AppJson.Options).Length;

        // The JSON fits, the JSON and its text do not.
        Assert.Null(RenderedToolResult.Render(binding, OutputSamples.Rows(3), new ToonOutputFormatter(new OutputOptions(), Log), null, json, out var tooLarge));

        Assert.True(tooLarge!.IsError);
        Assert.Contains(ToolError.ResultTooLarge, Assert.IsType<TextContentBlock>(Assert.Single(tooLarge.Content)).Text, StringComparison.Ordinal);
    }

    private static string Utf8(McpReply reply) => System.Text.Encoding.UTF8.GetString(reply.Utf8Payload!);

    private static void Tail(Utf8JsonWriter writer, ReadOnlySpan<byte> ownMeta)
    {
        writer.WriteString("resultType"u8, "complete"u8);
        writer.WritePropertyName("_meta"u8);
        writer.WriteRawValue(ownMeta.IsEmpty ? "{}"u8 : ownMeta, skipInputValidation: true);
    }

    /// <summary>A formatter that is not one of the built-in ones: it says TOON and writes the JSON in capitals.</summary>
    [Fact]
    public void A_formatter_of_the_users_own_that_gives_no_text_is_named_in_the_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            RenderedToolResult.Render(Binding(typeof(ListOutputRows)), OutputSamples.Rows(1), new SilentFormatter(), null, long.MaxValue, out _));
        Assert.Contains(nameof(SilentFormatter), error.Message, StringComparison.Ordinal);
    }

    private sealed class SilentFormatter : IOutputFormatter
    {
        public FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null) => new(null!, OutputFormat.Json);
    }

    private sealed class ShoutingFormatter : IOutputFormatter
    {
        public FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null) =>
            new(value.GetRawText().ToUpperInvariant(), OutputFormat.Toon, "4.0");
    }
}
