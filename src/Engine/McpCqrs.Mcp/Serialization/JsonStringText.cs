using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// Writes a long text as a JSON string value — quotes and escapes included — exactly as a
/// <see cref="System.Text.Json.Utf8JsonWriter"/> with <see cref="AppJson.Options"/>' encoder writes it, but faster for
/// text full of quotes and line breaks (a tool result's TOON or JSON text).
/// </summary>
/// <remarks>
/// Hand-written because the writer, from the first character that needs escaping, hands the rest of the string to
/// the encoder, which escapes it one character at a time. Here runs of characters the encoder leaves as they are
/// (printable ASCII but <c>"</c> and <c>\</c>) are copied whole, <c>"</c>, <c>\</c> and a line feed get the escapes
/// the encoder gives them, and every other character (controls, DEL, anything beyond ASCII) still goes through the
/// encoder — so the output is byte for byte the writer's.
/// </remarks>
internal static class JsonStringText
{
    /// <summary>The bytes the encoder does not leave as they are.</summary>
    private static readonly SearchValues<byte> Escaped = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', .. Enumerable.Range(0x7F, 0x81).Select(b => (byte)b)]);

    /// <summary>
    /// UTF-8 that stops at an unpaired surrogate instead of writing U+FFFD as it is: the writer writes one escaped
    /// (<c>\uFFFD</c>), so such a text is left to it.
    /// </summary>
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static JavaScriptEncoder Encoder => AppJson.Options.Encoder!;

    /// <summary>
    /// Writes <paramref name="text"/> as a JSON string to <paramref name="output"/>; returns its size in UTF-8 bytes,
    /// unescaped (an unpaired surrogate counted as the U+FFFD written in its place).
    /// </summary>
    public static int WriteQuoted(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Strict.GetMaxByteCount(text.Length));
        try
        {
            int length;
            try
            {
                length = Strict.GetBytes(text, utf8);
            }
            catch (EncoderFallbackException)
            {
                // An unpaired surrogate: rare enough to leave the whole text to the writer.
                using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
                writer.WriteStringValue(text);
                return Encoding.UTF8.GetByteCount(text);
            }

            WriteQuoted(utf8.AsSpan(0, length), output);
            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// Writes the UTF-8 <paramref name="text"/> as a JSON string to <paramref name="output"/>; an ill-formed sequence
    /// becomes an escaped U+FFFD, as the writer makes it.
    /// </summary>
    public static void WriteQuoted(ReadOnlySpan<byte> text, IBufferWriter<byte> output)
    {
        // The most a byte becomes: a control character's \u00XX; a scalar beyond ASCII takes at least two bytes and
        // becomes at most two \uXXXX.
        var destination = output.GetSpan((text.Length * 6) + 2);
        var at = 0;
        destination[at++] = (byte)'"';
        while (!text.IsEmpty)
        {
            var next = text.IndexOfAny(Escaped);
            if (next < 0)
            {
                text.CopyTo(destination[at..]);
                at += text.Length;
                break;
            }

            text[..next].CopyTo(destination[at..]);
            at += next;
            text = text[next..];
            var escape = text[0] switch
            {
                (byte)'"' => (byte)'"',
                (byte)'\\' => (byte)'\\',
                (byte)'\n' => (byte)'n',
                _ => (byte)0,
            };
            if (escape != 0)
            {
                destination[at++] = (byte)'\\';
                destination[at++] = escape;
                text = text[1..];
                continue;
            }

            // A control character alone, or a run of bytes beyond ASCII (whole UTF-8 sequences: an ASCII byte never
            // occurs inside one) up to the next ASCII byte.
            var run = text[0] < 0x80 ? 1 : text.IndexOfAnyInRange((byte)0, (byte)0x7F) is var ascii and >= 0 ? ascii : text.Length;
            // The encoder writes an ill-formed sequence as an escaped U+FFFD, as it does for the writer.
            if (Encoder.EncodeUtf8(text[..run], destination[at..], out var consumed, out var written) != OperationStatus.Done || consumed != run)
            {
                throw new InvalidOperationException("The JSON encoder did not encode a whole run of the text.");
            }

            at += written;
            text = text[run..];
        }

        destination[at++] = (byte)'"';
        output.Advance(at);
    }
}
