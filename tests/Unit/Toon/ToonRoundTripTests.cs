using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Toon;

/// <summary>
/// Property test: random JSON documents survive encode → decode (strict) under the spec §2 equality, for every
/// delimiter and several indent sizes.
/// </summary>
public sealed class ToonRoundTripTests
{
    private const int DocumentsPerConfiguration = 1000;

    public static TheoryData<string, int, int> Configurations => new()
    {
        { "comma", 2, 20251125 },
        { "tab", 2, 1 },
        { "pipe", 2, 2 },
        { "comma", 4, 3 },
        { "tab", 1, 4 },
        { "pipe", 3, 5 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Random_documents_round_trip(string delimiter, int indent, int seed)
    {
        var options = new ToonOptions
        {
            Indent = indent,
            Delimiter = delimiter switch { "tab" => '\t', "pipe" => '|', _ => ',' },
        };
        var decodeOptions = new ToonDecodeOptions { Indent = indent };
        var generator = new ToonRandomJson(seed);

        for (var n = 0; n < DocumentsPerConfiguration; n++)
        {
            var document = generator.Document();
            var context = $"document #{n} (seed {seed}): {ToonJsonModel.Show(document)}";
            var toon = ToonEncoder.Encode(document, options);

            JsonNode? decoded;
            try
            {
                decoded = ToonDecoder.Decode(toon, decodeOptions);
            }
            catch (ToonFormatException ex)
            {
                Assert.Fail($"{context}\nencoded as\n{toon}\nfailed to decode: {ex.Message}");
                return;
            }

            var difference = ToonJsonModel.Difference(ToonJsonModel.Expected(document), decoded);
            Assert.True(difference is null, $"{context}\nencoded as\n{toon}\ndecoded to {ToonJsonModel.Show(decoded)}\n{difference}");

            // Re-encoding the decoded value reproduces the text: the encoding is canonical.
            Assert.Equal(toon, ToonEncoder.Encode(decoded, options));

            // TryEncode refuses exactly the values TOON would change (NaN, ±Infinity) and otherwise agrees with Encode.
            var faithful = !ToonJsonModel.HasNonFiniteNumber(document);
            Assert.Equal(faithful, ToonEncoder.TryEncode(document, options, out var tried));
            if (faithful)
            {
                Assert.Equal(toon, tried);
                using var json = JsonDocument.Parse(document?.ToJsonString() ?? "null");
                Assert.Equal(toon, ToonEncoder.Encode(json.RootElement, options));
                var utf8 = new System.Buffers.ArrayBufferWriter<byte>();
                Assert.True(ToonEncoder.TryEncode(json.RootElement, options, utf8));
                Assert.Equal(toon, System.Text.Encoding.UTF8.GetString(utf8.WrittenSpan));
            }
        }
    }
}
