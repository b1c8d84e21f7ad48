using System.Text.Json;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Output;

/// <summary>
/// How a tool's result is written into the text content of its MCP tool result. <c>structuredContent</c> is always
/// the JSON value; only the text changes.
/// </summary>
public enum OutputFormat
{
    /// <summary>No choice here: the next level decides (a call → its binding → the server's <see cref="OutputOptions.DefaultFormat"/>).</summary>
    Default = 0,

    /// <summary>The JSON text of the structured content (what every tool returned before output formats existed).</summary>
    Json = 1,

    /// <summary>
    /// TOON, Token-Oriented Object Notation (<c>toon-spec: 4.0</c>): the same data in fewer tokens. A value TOON cannot
    /// represent faithfully falls back to JSON, never to an error.
    /// </summary>
    Toon = 2,

    /// <summary>TOON when the value holds a uniform array of objects (<see cref="OutputShape.PrefersToon"/>), JSON otherwise.</summary>
    Auto = 3,
}

/// <summary>Choosing among the levels of <see cref="OutputFormat"/> and reading a per-call choice.</summary>
public static class OutputFormats
{
    /// <summary>
    /// The <c>_meta</c> key of a <c>tools/call</c> request that overrides the tool's output format for that call; its
    /// value is <c>"json"</c>, <c>"toon"</c> or <c>"auto"</c> (<c>"default"</c>, or no key, keeps the binding's choice).
    /// </summary>
    public const string MetaKey = "mcpcqrs/outputFormat";

    /// <summary>
    /// The <c>_meta</c> key of a text content block written in TOON: the TOON specification version the text follows
    /// (TOON documents have no version header: spec §5.1 forbids encoders to emit comment lines).
    /// </summary>
    public const string ToonSpecMetaKey = "mcpcqrs/toonSpec";

    /// <summary>The per-call choice when there is one, else the binding's (either may be <see cref="OutputFormat.Default"/>).</summary>
    public static OutputFormat Choose(OutputFormat? perCall, OutputFormat binding) =>
        perCall is { } format && format != OutputFormat.Default ? format : binding;

    /// <summary>
    /// The format <paramref name="value"/> is actually written in, <see cref="OutputFormat.Json"/> or
    /// <see cref="OutputFormat.Toon"/>: <see cref="OutputFormat.Default"/> takes <paramref name="serverDefault"/> (JSON when
    /// that is <see cref="OutputFormat.Default"/> too), <see cref="OutputFormat.Auto"/> looks at the value's shape.
    /// </summary>
    public static OutputFormat Resolve(OutputFormat requested, OutputFormat serverDefault, JsonElement value) =>
        Chosen(requested, serverDefault) switch
        {
            OutputFormat.Toon => OutputFormat.Toon,
            OutputFormat.Auto => OutputShape.PrefersToon(value) ? OutputFormat.Toon : OutputFormat.Json,
            _ => OutputFormat.Json,
        };

    /// <summary>
    /// Whether <see cref="Resolve"/> answers <see cref="OutputFormat.Json"/> without looking at the value (neither TOON
    /// nor <see cref="OutputFormat.Auto"/> was chosen): the engine then writes a result's own JSON as its text without
    /// reading it back.
    /// </summary>
    internal static bool IsJsonWhateverTheValue(OutputFormat requested, OutputFormat serverDefault) =>
        Chosen(requested, serverDefault) is not (OutputFormat.Toon or OutputFormat.Auto);

    private static OutputFormat Chosen(OutputFormat requested, OutputFormat serverDefault) =>
        requested == OutputFormat.Default ? serverDefault : requested;

    /// <summary>Parses <c>json</c>, <c>toon</c>, <c>auto</c> or <c>default</c> (any case).</summary>
    public static bool TryParse(string? text, out OutputFormat format)
    {
        format = OutputFormat.Default;
        switch (text?.Trim().ToUpperInvariant())
        {
            case "JSON":
                format = OutputFormat.Json;
                return true;
            case "TOON":
                format = OutputFormat.Toon;
                return true;
            case "AUTO":
                format = OutputFormat.Auto;
                return true;
            case "DEFAULT":
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The output format a <c>tools/call</c> request asks for in its <c>_meta</c> (<see cref="MetaKey"/>), for
    /// <c>McpCallTool.Format</c>: null when <paramref name="meta"/> does not say (or says <c>"default"</c>).
    /// </summary>
    /// <exception cref="McpProtocolException">
    /// The value is not one of <c>json</c>, <c>toon</c>, <c>auto</c>, <c>default</c> (-32602, invalid params).
    /// </exception>
    public static OutputFormat? FromMeta(JsonElement? meta)
    {
        if (meta is not { } m || !m.TryGetProperty(MetaKey, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (!TryParse(text, out var format))
        {
            throw new McpProtocolException(
                $"_meta[\"{MetaKey}\"] must be \"json\", \"toon\" or \"auto\", not {value.GetRawText()}.",
                McpErrorCode.InvalidParams);
        }

        return format == OutputFormat.Default ? null : format;
    }
}
