using System.Buffers;
using System.Text.Json;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Output;
using McpCqrs.Mcp.Serialization;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary>
/// A tool's data result rendered once, as it goes on the wire: the JSON of its <c>structuredContent</c> and its text
/// content already written as a JSON string, side by side in one array from the shared pool. A <c>tools/call</c>
/// the dispatcher answers is written from it (<see cref="WriteTo"/>) with no tool result object, no JSON document
/// kept and no string of the text; whoever wants the <see cref="CallToolResult"/> instead gets it from
/// <see cref="ToResult"/>. The rendering — serialization, the size limit, the text format — is the same either way.
/// </summary>
/// <remarks>Hand-written because the SDK's tool result holds a string and a <see cref="JsonElement"/>, and its
/// content blocks cannot be derived from outside the SDK.</remarks>
internal sealed class RenderedToolResult : IDisposable
{
    private static readonly JsonEncodedText MetaFormat = JsonEncodedText.Encode(OutputFormats.MetaKey);
    private static readonly JsonEncodedText MetaSpec = JsonEncodedText.Encode(OutputFormats.ToonSpecMetaKey);

    /// <summary>This thread's buffer for the text in UTF-8, reset for each result (nothing awaits while it is in use).</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_text;

    private byte[] _rendered;
    private readonly int _structuredLength;
    private readonly int _length;

    private RenderedToolResult(ReadOnlySpan<byte> rendered, int structuredLength, OutputFormat format, string? specVersion)
    {
        _rendered = ArrayPool<byte>.Shared.Rent(rendered.Length);
        rendered.CopyTo(_rendered);
        _structuredLength = structuredLength;
        _length = rendered.Length;
        Format = format;
        SpecVersion = specVersion;
    }

    /// <summary>The format of the text: JSON or TOON.</summary>
    public OutputFormat Format { get; }

    /// <summary>The TOON spec version the text follows; null for JSON.</summary>
    public string? SpecVersion { get; }

    private ReadOnlySpan<byte> Structured => _rendered.AsSpan(0, _structuredLength);

    /// <summary>The text as a JSON string value, quotes and escapes included.</summary>
    private ReadOnlySpan<byte> QuotedText => _rendered.AsSpan(_structuredLength, _length - _structuredLength);

    /// <summary>
    /// Renders <paramref name="result"/> of <paramref name="binding"/>: its JSON (wrapped in <c>{"result": …}</c>
    /// where the binding says so) and its text in the chosen format (<see cref="OutputFormats.Choose"/>). Null, with
    /// the tool error <see cref="ToolError.ResultTooLarge"/> in <paramref name="tooLarge"/>, when the JSON, or the
    /// JSON and the text, are over <paramref name="maxBytes"/> as <see cref="ResultSize"/> counts them (JSON already
    /// over it is not formatted at all).
    /// </summary>
    public static RenderedToolResult? Render(
        ToolBinding binding,
        object? result,
        IOutputFormatter formatter,
        OutputFormat? format,
        long maxBytes,
        out CallToolResult? tooLarge)
    {
        tooLarge = null;
        var writer = ThreadJsonBuffer<RenderUse>.Start(4096, out var buffer);
        try
        {
            if (binding.WrapsResult)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("result"u8);
            }

            JsonSerializer.Serialize(writer, result, binding.ResultType, AppJson.Options);
            if (binding.WrapsResult)
            {
                writer.WriteEndObject();
            }

            writer.Flush();
            var structuredLength = buffer.WrittenCount;
            long size = structuredLength;
            if (size > maxBytes)
            {
                tooLarge = TooLarge(binding, size, maxBytes);
                return null;
            }

            // The text is a value of its own, after the JSON.
            var (textFormat, specVersion, textSize) = WriteText(buffer, structuredLength, binding, formatter, format);
            if ((size += textSize) > maxBytes)
            {
                tooLarge = TooLarge(binding, size, maxBytes);
                return null;
            }

            return new RenderedToolResult(buffer.WrittenSpan, structuredLength, textFormat, specVersion);
        }
        finally
        {
            // Buffers grown by a large result are not kept for the next one.
            ThreadJsonBuffer<RenderUse>.End(256 * 1024);
            if (t_text is { Capacity: > 128 * 1024 })
            {
                t_text = null;
            }
        }
    }

    /// <summary>The rendering's use of <see cref="ThreadJsonBuffer{TUse}"/> (the envelope has buffers of its own).</summary>
    private struct RenderUse;

    /// <summary>Writes the text after the JSON, as a JSON string, and returns its format and its size in UTF-8 bytes.</summary>
    private static (OutputFormat Format, string? SpecVersion, long Size) WriteText(
        ArrayBufferWriter<byte> buffer,
        int structuredLength,
        ToolBinding binding,
        IOutputFormatter formatter,
        OutputFormat? format)
    {
        var requested = OutputFormats.Choose(format, binding.Output);
        var written = buffer.WrittenMemory[..structuredLength];
        if (formatter is IBufferedOutputFormatter known && known.IsJson(requested))
        {
            // Not read into a document, but held to what one accepts (nesting up to 64, as clients read it), so a
            // result goes out or fails alike in every format.
            var reader = new Utf8JsonReader(written.Span);
            reader.Read();
            reader.Skip();
            return (OutputFormat.Json, null, WriteJsonText(written.Span, buffer));
        }

        // The JSON is read in place: the text goes after it, into the same buffer (a grown buffer leaves it intact).
        using var document = JsonDocument.Parse(written);
        if (formatter is not IBufferedOutputFormatter buffered)
        {
            var output = formatter.Format(document.RootElement, requested, binding.Name);
            var size = JsonStringText.WriteQuoted(
                output.Text ?? throw new InvalidOperationException($"The output formatter {formatter.GetType().Name} returned no text."),
                buffer);
            return (output.Format, output.Format == OutputFormat.Toon ? output.SpecVersion : null, size);
        }

        var utf8 = t_text ??= new ArrayBufferWriter<byte>(1024);
        utf8.ResetWrittenCount();
        var (textFormat, specVersion) = buffered.Format(document.RootElement, requested, binding.Name, utf8);
        if (textFormat == OutputFormat.Toon)
        {
            JsonStringText.WriteQuoted(utf8.WrittenSpan, buffer);
            return (textFormat, specVersion, utf8.WrittenCount);
        }

        return (OutputFormat.Json, null, WriteJsonText(written.Span, buffer));
    }

    /// <summary>The JSON itself as the text; returns its size.</summary>
    private static long WriteJsonText(ReadOnlySpan<byte> json, ArrayBufferWriter<byte> buffer)
    {
        JsonStringText.WriteQuoted(json, buffer);
        return json.Length;
    }

    /// <summary>The tool error <see cref="ToolError.ResultTooLarge"/> of a result of <paramref name="size"/> bytes.</summary>
    internal static CallToolResult TooLarge(ToolBinding binding, long size, long maxBytes) =>
        ToolError.TooLarge(binding.Name, size, maxBytes, typeof(McpCqrs.Querying.ISelectorQuery).IsAssignableFrom(binding.RequestType)).ToResult();

    /// <summary>
    /// Writes the tool result as the SDK's contract does: one text block (with <c>_meta</c> naming the format and its
    /// spec version when the text is TOON), then <c>structuredContent</c>, then what <paramref name="tail"/> adds
    /// (it gets no <c>_meta</c> of the result's own: there is none).
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer, ResultTail? tail)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("content"u8);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "text"u8);
        writer.WritePropertyName("text"u8);
        writer.WriteRawValue(QuotedText, skipInputValidation: true);
        if (Format == OutputFormat.Toon)
        {
            writer.WriteStartObject("_meta"u8);
            writer.WriteString(MetaFormat, "toon"u8);
            writer.WriteString(MetaSpec, SpecVersion);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WritePropertyName("structuredContent"u8);
        writer.WriteRawValue(Structured, skipInputValidation: true);
        tail?.Invoke(writer, default);
        writer.WriteEndObject();
    }

    /// <summary>The SDK's tool result of the same content, for whoever holds results as objects (a task's outcome).</summary>
    public CallToolResult ToResult()
    {
        var reader = new Utf8JsonReader(QuotedText);
        reader.Read();
        var text = new TextContentBlock { Text = reader.GetString()! };
        if (Format == OutputFormat.Toon)
        {
            text.Meta = new System.Text.Json.Nodes.JsonObject
            {
                [OutputFormats.MetaKey] = "toon",
                [OutputFormats.ToonSpecMetaKey] = SpecVersion,
            };
        }

        return new CallToolResult
        {
            Content = [text],
            StructuredContent = JsonSerializer.Deserialize<JsonElement>(Structured),
        };
    }

    /// <summary>Gives the array back to the pool; the result is not written after this.</summary>
    public void Dispose()
    {
        var rendered = _rendered;
        _rendered = [];
        if (rendered.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rendered);
        }
    }
}
