using System.Text;
using System.Text.Json;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Mcp.Output;
using McpCqrs.Toon;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Tests.Unit.Output;

public sealed class ToonOutputFormatterTests
{
    private readonly RecordingLogger<ToonOutputFormatter> _log = new();

    private ToonOutputFormatter Formatter(OutputOptions? options = null) => new(options ?? new OutputOptions(), _log);

    private static JsonElement Page(int rows) => JsonSerializer.SerializeToElement(OutputSamples.Rows(rows), AppJson.Options);

    [Fact]
    public void Json_is_the_raw_json_text()
    {
        var value = Page(2);

        var output = Formatter().Format(value, OutputFormat.Json, "rows");

        Assert.Equal(new FormattedOutput(value.GetRawText(), OutputFormat.Json), output);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void The_server_default_is_json_unless_configured()
    {
        var value = Page(2);

        Assert.Equal(OutputFormat.Json, Formatter().Format(value, OutputFormat.Default).Format);
        Assert.Equal(OutputFormat.Toon, Formatter(new OutputOptions { DefaultFormat = OutputFormat.Toon }).Format(value, OutputFormat.Default).Format);
        Assert.Equal(OutputFormat.Toon, Formatter(new OutputOptions { DefaultFormat = OutputFormat.Auto }).Format(value, OutputFormat.Default).Format);
    }

    [Fact]
    public void A_page_in_toon_is_a_table_that_decodes_to_the_structured_content()
    {
        var value = Page(3);

        var output = Formatter().Format(value, OutputFormat.Toon, "rows");

        Assert.Equal(OutputFormat.Toon, output.Format);
        Assert.Equal(ToonInfo.SpecVersion, output.SpecVersion);
        Assert.Equal(
            """
            items[3]{id,name,active,owner}:
              1,row 1,false,ada
              2,row 2,true,ada
              3,row 3,false,null
            page: 1
            pageSize: 3
            totalItems: 8
            totalPages: 3
            hasNext: true
            """.ReplaceLineEndings("\n"),
            output.Text);
        OutputSamples.AssertDecodesTo(value, output.Text);
        Assert.Empty(_log.Entries);
    }

    [Theory]
    [InlineData("""{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"page":1}""", OutputFormat.Toon)]
    [InlineData("""[{"id":1,"name":"a"},{"id":2,"name":"b"}]""", OutputFormat.Toon)]
    [InlineData("""{"result":[{"id":1},{"id":2}]}""", OutputFormat.Toon)]
    [InlineData("""{"items":[{"id":1,"tags":["a"]},{"id":2,"tags":[]}],"page":1}""", OutputFormat.Json)]
    [InlineData("""{"items":[{"id":1},{"name":"b"}]}""", OutputFormat.Json)]
    [InlineData("""{"result":42}""", OutputFormat.Json)]
    [InlineData("""{"id":1,"name":"a"}""", OutputFormat.Json)]
    public void Auto_writes_toon_only_for_uniform_arrays_of_objects(string json, OutputFormat expected)
    {
        var value = OutputSamples.Parse(json);

        var output = Formatter().Format(value, OutputFormat.Auto, "tool");

        Assert.Equal(expected, output.Format);
        if (expected == OutputFormat.Toon)
        {
            OutputSamples.AssertDecodesTo(value, output.Text);
        }
        else
        {
            Assert.Equal(value.GetRawText(), output.Text);
        }
    }

    [Theory]
    [InlineData("""{"title":"t","tags":["a","b"],"owner":{"id":1,"name":"x, y","active":true,"owner":null}}""")]
    [InlineData("""{"items":[{"id":1,"tags":["a"]},{"id":2,"tags":[]}],"note":"- dash","n":1e25,"s":"#not a comment"}""")]
    [InlineData("""{"result":"line\nbreak \"quoted\" \\ back"}""")]
    [InlineData("""[]""")]
    [InlineData("""{}""")]
    [InlineData("""{"result":null}""")]
    public void Forced_toon_of_any_json_decodes_to_the_structured_content(string json)
    {
        var value = OutputSamples.Parse(json);

        var output = Formatter().Format(value, OutputFormat.Toon, "tool");

        Assert.Equal(OutputFormat.Toon, output.Format);
        OutputSamples.AssertDecodesTo(value, output.Text);
    }

    [Theory]
    [InlineData("\t", '\t')]
    [InlineData("pipe", '|')]
    public void The_configured_delimiter_and_indent_are_used(string delimiter, char expected)
    {
        var value = OutputSamples.Parse("""{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}""");
        var formatter = Formatter(new OutputOptions { Toon = new ToonOutputOptions { Delimiter = delimiter, Indent = 4 } });

        var output = formatter.Format(value, OutputFormat.Toon);

        var header = expected == '\t' ? "items[2\t]{id\tname}:" : "items[2|]{id|name}:";
        Assert.Equal($"{header}\n    1{expected}a\n    2{expected}b", output.Text);
        var decoded = ToonDecoder.Decode(output.Text, new ToonDecodeOptions { Indent = 4 });
        Assert.Null(McpCqrs.Tests.Unit.Toon.ToonJsonModel.Difference(System.Text.Json.Nodes.JsonNode.Parse(value.GetRawText()), decoded));
    }

    [Fact]
    public void A_value_toon_cannot_hold_falls_back_to_json_with_a_warning()
    {
        // TryEncode refuses a JsonElement object that repeats a property name (TOON §14.3: duplicate keys are an error).
        var value = OutputSamples.Parse("""{"items":[{"id":1,"id":2},{"id":3,"id":4}],"page":1}""");

        var output = Formatter().Format(value, OutputFormat.Toon, "dupes");

        Assert.Equal(new FormattedOutput(value.GetRawText(), OutputFormat.Json), output);
        var (level, message, exception) = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("dupes", message, StringComparison.Ordinal);
        Assert.Contains("JSON", message, StringComparison.Ordinal);
        Assert.Null(exception);
    }

    [Fact]
    public void Nesting_deeper_than_toon_takes_falls_back_to_json_with_a_warning()
    {
        var json = new StringBuilder().Append('[', 70).Append(1).Append(']', 70).ToString();
        var value = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 100 }).RootElement.Clone();

        var output = Formatter().Format(value, OutputFormat.Toon, "deep");

        Assert.Equal(OutputFormat.Json, output.Format);
        Assert.Equal(json, output.Text);
        Assert.Equal(LogLevel.Warning, Assert.Single(_log.Entries).Level);
    }

    [Fact]
    public void An_unpaired_surrogate_falls_back_to_json_with_a_warning()
    {
        var value = OutputSamples.Parse("""{"text":"\ud800"}""");

        var output = Formatter().Format(value, OutputFormat.Toon, "surrogate");

        Assert.Equal(OutputFormat.Json, output.Format);
        Assert.Equal(value.GetRawText(), output.Text);
        Assert.Equal(LogLevel.Warning, Assert.Single(_log.Entries).Level);
    }

    [Fact]
    public void An_encoder_failure_falls_back_to_json_with_a_warning_carrying_the_exception()
    {
        var value = Page(2);
        var formatter = Formatter(new OutputOptions { Toon = new ToonOutputOptions { Delimiter = ";" } });

        var output = formatter.Format(value, OutputFormat.Toon, "broken");

        Assert.Equal(new FormattedOutput(value.GetRawText(), OutputFormat.Json), output);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("broken", entry.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public void The_json_formatter_always_writes_json()
    {
        var value = Page(2);

        Assert.Equal(new FormattedOutput(value.GetRawText(), OutputFormat.Json), JsonOutputFormatter.Instance.Format(value, OutputFormat.Toon));
    }
}
