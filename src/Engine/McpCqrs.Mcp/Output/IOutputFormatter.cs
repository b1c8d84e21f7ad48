using System.Buffers;
using System.Text.Json;

namespace McpCqrs.Mcp.Output;

/// <summary>
/// Writes a tool's result — the JSON value that also goes out as <c>structuredContent</c> — as the text of the tool
/// result, in the requested <see cref="OutputFormat"/>. Never fails: what cannot be written in the requested format
/// is written as JSON.
/// </summary>
public interface IOutputFormatter
{
    /// <param name="value">The result as it goes out in <c>structuredContent</c>.</param>
    /// <param name="requested">
    /// The format asked for (per call, else per binding, see <see cref="OutputFormats.Choose"/>);
    /// <see cref="OutputFormat.Default"/> means the server default.
    /// </param>
    /// <param name="tool">The tool's name, for log messages.</param>
    FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null);
}

/// <summary>
/// A formatter that writes its text into a buffer the caller owns (the built-in ones): the engine writes a tool
/// result to the wire without a string of its own.
/// </summary>
internal interface IBufferedOutputFormatter
{
    /// <summary>
    /// Writes the text of <paramref name="value"/> into <paramref name="text"/> as UTF-8 in the format
    /// <paramref name="requested"/> resolves to, and returns that format with its spec version. JSON is not written:
    /// it is the value's own JSON, which the caller holds.
    /// </summary>
    (OutputFormat Format, string? SpecVersion) Format(JsonElement value, OutputFormat requested, string? tool, IBufferWriter<byte> text);

    /// <summary>Whether <paramref name="requested"/> comes out as JSON whatever the value: then no value is read to format it.</summary>
    bool IsJson(OutputFormat requested);
}

/// <summary>The text of a tool result and the format it is actually in.</summary>
/// <param name="Text">The text content.</param>
/// <param name="Format"><see cref="OutputFormat.Json"/> or <see cref="OutputFormat.Toon"/>.</param>
/// <param name="SpecVersion">The version of the format's specification the text follows (TOON: <c>4.0</c>); null for JSON.</param>
public sealed record FormattedOutput(string Text, OutputFormat Format, string? SpecVersion = null)
{
    /// <summary>The JSON text of <paramref name="value"/>, exactly as it is serialized (compact).</summary>
    public static FormattedOutput Json(JsonElement value) => new(value.GetRawText(), OutputFormat.Json);
}

/// <summary>Writes every result as JSON: the formatter of hosts without a TOON encoder.</summary>
public sealed class JsonOutputFormatter : IOutputFormatter, IBufferedOutputFormatter
{
    public static JsonOutputFormatter Instance { get; } = new();

    public FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null) => FormattedOutput.Json(value);

    (OutputFormat Format, string? SpecVersion) IBufferedOutputFormatter.Format(JsonElement value, OutputFormat requested, string? tool, IBufferWriter<byte> text) =>
        (OutputFormat.Json, null);

    bool IBufferedOutputFormatter.IsJson(OutputFormat requested) => true;
}
