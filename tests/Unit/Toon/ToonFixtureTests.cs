using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Toon;

/// <summary>Every case of the TOON spec v4.0 conformance fixtures, one theory row per case.</summary>
public sealed class ToonFixtureTests
{
    public static TheoryData<string, string> EncodeCases => ToonFixtures.CaseNames("encode");

    public static TheoryData<string, string> DecodeCases => ToonFixtures.CaseNames("decode");

    [Fact]
    public void Fixture_suite_is_complete()
    {
        // The counts stated in Fixtures/SOURCE.txt: nothing may go missing silently.
        var encode = ToonFixtures.All.Where(c => c.Category == "encode").ToList();
        var decode = ToonFixtures.All.Where(c => c.Category == "decode").ToList();

        Assert.Equal(173, encode.Count);
        Assert.Equal(343, decode.Count);
        Assert.Equal(79, decode.Count(c => c.ShouldError));
        Assert.Equal(9, encode.Select(c => c.File).Distinct().Count());
        Assert.Equal(14, decode.Select(c => c.File).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(ToonFixtures.Root, "LICENSE")));
        Assert.True(File.Exists(Path.Combine(ToonFixtures.Root, "SPEC.md")));
    }

    [Theory]
    [MemberData(nameof(EncodeCases))]
    public void Encode(string file, string name)
    {
        var fixture = ToonFixtures.Get(file, name);
        var options = ToonFixtures.EncodeOptions(fixture.Options);
        var expected = fixture.Expected!.GetValue<string>();

        Assert.Equal(expected, ToonEncoder.Encode(fixture.Input, options));

        // The JsonElement overload and TryEncode agree with the JsonNode encoder.
        using var document = JsonDocument.Parse(fixture.Input?.ToJsonString() ?? "null");
        Assert.Equal(expected, ToonEncoder.Encode(document.RootElement, options));
        Assert.True(ToonEncoder.TryEncode(fixture.Input, options, out var toon));
        Assert.Equal(expected, toon);

        // The UTF-8 overload writes the same text's UTF-8, after what the buffer held.
        var utf8 = new ArrayBufferWriter<byte>();
        utf8.Write("held"u8);
        Assert.True(ToonEncoder.TryEncode(document.RootElement, options, utf8));
        Assert.Equal("held" + expected, Encoding.UTF8.GetString(utf8.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(DecodeCases))]
    public void Decode(string file, string name)
    {
        var fixture = ToonFixtures.Get(file, name);
        var options = ToonFixtures.DecodeOptions(fixture.Options);
        var input = fixture.Input!.GetValue<string>();

        if (fixture.ShouldError)
        {
            var error = Assert.Throws<ToonFormatException>(() => ToonDecoder.Decode(input, options));
            Assert.InRange(error.Line, 1, input.Split('\n').Length);
            Assert.StartsWith($"Line {error.Line}: ", error.Message, StringComparison.Ordinal);
            return;
        }

        var actual = ToonDecoder.Decode(input, options);
        Assert.True(
            JsonNode.DeepEquals(fixture.Expected, actual),
            $"expected {fixture.Expected?.ToJsonString() ?? "null"}, decoded {actual?.ToJsonString() ?? "null"}");
    }
}
