using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Output;
using McpCqrs.Mcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpCqrs.Tests.Unit.Output;

public sealed class OutputFormatsTests
{
    private static readonly System.Text.Json.JsonElement UniformPage = OutputSamples.Parse("""{"items":[{"id":1},{"id":2}],"page":1}""");
    private static readonly System.Text.Json.JsonElement Scalar = OutputSamples.Parse("""{"result":3}""");

    [Theory]
    [InlineData(null, OutputFormat.Toon, OutputFormat.Toon)]
    [InlineData(OutputFormat.Default, OutputFormat.Toon, OutputFormat.Toon)]
    [InlineData(OutputFormat.Json, OutputFormat.Toon, OutputFormat.Json)]
    [InlineData(OutputFormat.Toon, OutputFormat.Json, OutputFormat.Toon)]
    [InlineData(OutputFormat.Auto, OutputFormat.Default, OutputFormat.Auto)]
    [InlineData(null, OutputFormat.Default, OutputFormat.Default)]
    public void A_per_call_format_overrides_the_binding(OutputFormat? perCall, OutputFormat binding, OutputFormat expected) =>
        Assert.Equal(expected, OutputFormats.Choose(perCall, binding));

    [Theory]
    [InlineData(OutputFormat.Default, OutputFormat.Json, OutputFormat.Json)]
    [InlineData(OutputFormat.Default, OutputFormat.Toon, OutputFormat.Toon)]
    [InlineData(OutputFormat.Default, OutputFormat.Default, OutputFormat.Json)]
    [InlineData(OutputFormat.Json, OutputFormat.Toon, OutputFormat.Json)]
    [InlineData(OutputFormat.Toon, OutputFormat.Json, OutputFormat.Toon)]
    public void Default_resolves_to_the_server_default_and_that_to_json(OutputFormat requested, OutputFormat serverDefault, OutputFormat expected) =>
        Assert.Equal(expected, OutputFormats.Resolve(requested, serverDefault, Scalar));

    [Fact]
    public void Auto_resolves_by_the_shape_of_the_value_also_as_the_server_default()
    {
        Assert.Equal(OutputFormat.Toon, OutputFormats.Resolve(OutputFormat.Auto, OutputFormat.Json, UniformPage));
        Assert.Equal(OutputFormat.Json, OutputFormats.Resolve(OutputFormat.Auto, OutputFormat.Toon, Scalar));
        Assert.Equal(OutputFormat.Toon, OutputFormats.Resolve(OutputFormat.Default, OutputFormat.Auto, UniformPage));
        Assert.Equal(OutputFormat.Json, OutputFormats.Resolve(OutputFormat.Default, OutputFormat.Auto, Scalar));
    }

    [Theory]
    [InlineData("json", OutputFormat.Json)]
    [InlineData("TOON", OutputFormat.Toon)]
    [InlineData(" Auto ", OutputFormat.Auto)]
    [InlineData("default", OutputFormat.Default)]
    public void Format_names_parse_in_any_case(string text, OutputFormat expected)
    {
        Assert.True(OutputFormats.TryParse(text, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("2")]
    public void Other_names_do_not_parse(string? text) => Assert.False(OutputFormats.TryParse(text, out _));

    private static JsonElement Meta(JsonObject meta) => JsonSerializer.SerializeToElement(meta);

    [Fact]
    public void The_meta_key_of_a_call_chooses_its_format()
    {
        Assert.Equal(OutputFormat.Toon, OutputFormats.FromMeta(Meta(new JsonObject { ["mcpcqrs/outputFormat"] = "toon" })));
        Assert.Equal(OutputFormat.Json, OutputFormats.FromMeta(Meta(new JsonObject { [OutputFormats.MetaKey] = "json" })));
        Assert.Equal(OutputFormat.Auto, OutputFormats.FromMeta(Meta(new JsonObject { [OutputFormats.MetaKey] = "auto", ["progressToken"] = 1 })));
        Assert.Null(OutputFormats.FromMeta(Meta(new JsonObject { [OutputFormats.MetaKey] = "default" })));
        Assert.Null(OutputFormats.FromMeta(Meta(new JsonObject { ["progressToken"] = 1 })));
        Assert.Null(OutputFormats.FromMeta(null));
    }

    [Fact]
    public void An_unknown_meta_format_is_invalid_params_naming_the_values()
    {
        var unknown = Assert.Throws<McpProtocolException>(() => OutputFormats.FromMeta(Meta(new JsonObject { [OutputFormats.MetaKey] = "yaml" })));
        var notText = Assert.Throws<McpProtocolException>(() => OutputFormats.FromMeta(Meta(new JsonObject { [OutputFormats.MetaKey] = 2 })));

        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
        Assert.Contains("\"toon\"", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(McpErrorCode.InvalidParams, notText.ErrorCode);
    }
}

public sealed class OutputOptionsTests
{
    [Fact]
    public void The_defaults_are_json_comma_and_two_spaces()
    {
        var options = new OutputOptions();

        Assert.Equal("Mcp:Output", OutputOptions.SectionName);
        Assert.Equal(OutputFormat.Json, options.DefaultFormat);
        Assert.Equal(',', options.Toon.DelimiterChar);
        Assert.Equal(2, options.Toon.Indent);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData(",", ',')]
    [InlineData("\t", '\t')]
    [InlineData("|", '|')]
    [InlineData("comma", ',')]
    [InlineData("Tab", '\t')]
    [InlineData("\\t", '\t')]
    [InlineData("PIPE", '|')]
    public void Delimiters_are_given_as_characters_or_names(string delimiter, char expected) =>
        Assert.Equal(expected, new ToonOutputOptions { Delimiter = delimiter }.DelimiterChar);

    [Fact]
    public void Invalid_settings_are_named()
    {
        var options = new OutputOptions { DefaultFormat = (OutputFormat)9, Toon = new ToonOutputOptions { Delimiter = ";", Indent = 0 } };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Mcp:Output:DefaultFormat", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Mcp:Output:Toon:Delimiter", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Mcp:Output:Toon:Indent", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_binding_the_formatter_gets_the_default_options()
    {
        using var provider = new ServiceCollection().AddLogging().AddOutputFormats().BuildServiceProvider();

        Assert.IsType<ToonOutputFormatter>(provider.GetRequiredService<IOutputFormatter>());
        Assert.Equal(OutputFormat.Json, provider.GetRequiredService<OutputOptions>().DefaultFormat);
    }

    [Fact]
    public void Options_configured_by_the_host_reach_the_formatter()
    {
        using var provider = new ServiceCollection()
            .AddLogging()
            .Configure<OutputOptions>(o => o.DefaultFormat = OutputFormat.Toon)
            .AddOutputFormats()
            .BuildServiceProvider();

        var output = provider.GetRequiredService<IOutputFormatter>().Format(OutputSamples.Parse("""{"a":1}"""), OutputFormat.Default);

        Assert.Equal(OutputFormat.Toon, output.Format);
        Assert.Equal("a: 1", output.Text);
    }

    [Fact]
    public void An_instance_registered_by_the_host_first_is_kept()
    {
        var mine = new OutputOptions { DefaultFormat = OutputFormat.Auto };
        using var provider = new ServiceCollection().AddLogging().AddSingleton(mine).AddOutputFormats().BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<OutputOptions>());
    }

    [Fact]
    public void Invalid_bound_options_fail_validation()
    {
        using var provider = new ServiceCollection()
            .AddLogging()
            .Configure<OutputOptions>(o => o.Toon.Delimiter = ";")
            .AddOutputFormats()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutputOptions>>().Value);
        Assert.Contains("Mcp:Output:Toon:Delimiter", error.Message, StringComparison.Ordinal);
    }
}
