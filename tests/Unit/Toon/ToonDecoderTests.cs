using System.Text.Json.Nodes;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Toon;

public sealed class ToonDecoderTests
{
    [Fact]
    public void Errors_report_the_offending_line()
    {
        const string toon = "# heading\nusers[2]{id,name}:\n  1,Ada\n\n  2\n";

        var error = Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode(toon));

        Assert.Equal(4, error.Line); // the blank line inside the table
        Assert.StartsWith("Line 4: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode("# c\nusers[2]{id,name}:\n  1,Ada\n  2\n")).Line);
    }

    [Fact]
    public void Numbers_decode_losslessly()
    {
        var node = ToonDecoder.Decode("big: 12345678901234567890123456\nsmall: 1.000000000000000000001\nexp: -2.50E+3\nz: -0.0");

        Assert.Equal("""{"big":1.2345678901234567890123456e+25,"small":1.000000000000000000001,"exp":-2500,"z":0}""", node!.ToJsonString());
        Assert.Equal(-2500d, node["exp"]!.GetValue<double>());
        Assert.Equal(12345678901234567890123456m, node["big"]!.GetValue<decimal>());
        Assert.Equal(1.000000000000000000001m, node["small"]!.GetValue<decimal>());
    }

    [Fact]
    public void Non_strict_mode_accepts_tab_indentation_as_one_level()
    {
        var node = ToonDecoder.Decode("a:\n\tb: 1", new ToonDecodeOptions { Strict = false });

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":{"b":1}}"""), node));
    }

    [Fact]
    public void Missing_colon_is_an_error_in_both_modes()
    {
        Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode("a:\n  user", new ToonDecodeOptions { Strict = false }));
    }

    [Fact]
    public void Nesting_beyond_MaxDepth_is_rejected()
    {
        var toon = string.Join('\n', Enumerable.Range(0, 10).Select(i => new string(' ', i * 2) + "n:"));

        Assert.NotNull(ToonDecoder.Decode(toon, new ToonDecodeOptions { MaxDepth = 11 }));
        var error = Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode(toon, new ToonDecodeOptions { MaxDepth = 10 }));
        Assert.Equal(10, error.Line);
    }

    [Fact]
    public void Deeply_nested_field_groups_are_rejected_without_exhausting_the_stack()
    {
        var toon = "a[1]{b" + string.Concat(Enumerable.Repeat("{b", 100_000)) + "}:";

        var error = Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode(toon));
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Decodes_an_unmarked_length_only()
    {
        // v4 has no length marker: "[#2]" is a malformed bracket segment.
        Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode("tags[#2]: a,b"));
    }

    [Fact]
    public void Keyed_root_and_nested_groups_round_trip()
    {
        var value = JsonNode.Parse("""{"alice":{"age":30,"geo":{"city":"Berlin","zip":"10115"}},"bob":{"geo":{"zip":"0150","city":"Oslo"},"age":25}}""");

        var toon = ToonEncoder.Encode(value);

        Assert.Equal("[2:]{age,geo{city,zip}}:\n  alice: 30,Berlin,\"10115\"\n  bob: 25,Oslo,\"0150\"", toon);
        Assert.Equal(
            """{"alice":{"age":30,"geo":{"city":"Berlin","zip":"10115"}},"bob":{"age":25,"geo":{"city":"Oslo","zip":"0150"}}}""",
            ToonDecoder.Decode(toon)!.ToJsonString());
    }
}
