using System.Buffers;
using System.Text;
using System.Text.Json;
using McpCqrs.Mcp.Serialization;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>
/// A text written as a JSON string by <see cref="JsonStringText"/> is byte for byte what the JSON writer with the
/// project's options writes, for every kind of character, and its size is the text's UTF-8 length.
/// </summary>
public sealed class JsonStringTextTests
{
    public static TheoryData<string> Texts => new()
    {
        string.Empty,
        "plain text without anything to escape",
        "items[2]{id,name}:\n  1,\"a, b\"\n  2,back\\slash\n",
        "\"\"\"\\\\\n\n",
        "tab\tcr\rff\fbs\bnul\0us\u001Fdel\u007F",
        "é ✓ 😀 \u2028 \u2029 \uFEFF <tag> & 'apos' + `tick`",
        "ends with a quote\"",
        "😀",
        "éé\nüü\"中文\\",
        "\u0080\u00FF\u0100\u07FF\u0800\uFFFD",
        new string('x', 10_000) + "\"" + new string('é', 5_000) + "\n",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void A_text_is_written_as_the_json_writer_writes_it(string text)
    {
        AssertAsWriter(text);
    }

    [Fact]
    public void Every_character_of_the_basic_plane_and_random_texts_are_written_as_the_json_writer_writes_them()
    {
        var all = new StringBuilder();
        for (var c = 0; c <= 0xFFFF; c++)
        {
            if (!char.IsSurrogate((char)c))
            {
                all.Append((char)c).Append('a');
            }
        }

        AssertAsWriter(all.ToString());

        var random = new Random(19);
        var pool = "ab \"\\\n\r\t\u0001\u007Fé中😀\u2028<&".EnumerateRunes().ToArray();
        for (var i = 0; i < 500; i++)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 200); n > 0; n--)
            {
                text.Append(pool[random.Next(pool.Length)].ToString());
            }

            AssertAsWriter(text.ToString());
        }
    }

    [Fact]
    public void An_unpaired_surrogate_or_ill_formed_utf8_becomes_what_the_json_writer_writes()
    {
        foreach (var text in new[] { "a\uD83Db", "a\uDE00", "\uD83D", "x\"\n\uDE00\uD83D\"" })
        {
            var expected = Written(writer => writer.WriteStringValue(text));
            var output = new ArrayBufferWriter<byte>();
            Assert.Equal(Encoding.UTF8.GetByteCount(text), JsonStringText.WriteQuoted(text.AsSpan(), output));
            Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
            Assert.Contains("\\uFFFD", expected, StringComparison.Ordinal);
        }

        foreach (var bytes in new byte[][] { [(byte)'a', 0xFF, (byte)'b'], [0xC3], [0xED, 0xA0, 0xBD], [0xC0, 0x80], [(byte)'"', 0xE2, 0x82, (byte)'\n', 0xF0, 0x9F] })
        {
            var expected = Written(writer => writer.WriteStringValue(bytes));
            var output = new ArrayBufferWriter<byte>();
            JsonStringText.WriteQuoted(bytes, output);
            Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
            Assert.Contains("\\uFFFD", expected, StringComparison.Ordinal);
        }
    }

    private static string Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = AppJson.Options.Encoder }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void AssertAsWriter(string text)
    {
        var expected = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(expected, new JsonWriterOptions { Encoder = AppJson.Options.Encoder }))
        {
            writer.WriteStringValue(text);
        }

        var fromChars = new ArrayBufferWriter<byte>();
        fromChars.Write("prefix"u8); // written after what the buffer holds
        var size = JsonStringText.WriteQuoted(text.AsSpan(), fromChars);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), size);
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(fromChars.WrittenSpan[6..]));
        Assert.Equal("prefix", Encoding.UTF8.GetString(fromChars.WrittenSpan[..6]));

        var fromUtf8 = new ArrayBufferWriter<byte>();
        JsonStringText.WriteQuoted(Encoding.UTF8.GetBytes(text), fromUtf8);
        Assert.True(expected.WrittenSpan.SequenceEqual(fromUtf8.WrittenSpan));
    }
}
