using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// An icon of a tool, selector, resource, resource template or prompt (MCP 2025-11-25 <c>icons</c>), shown by
/// clients that display them. Repeat it for several sizes or themes.
/// </summary>
/// <param name="source">An <c>https:</c> URL or a <c>data:</c> URI (clients are told to load nothing else).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class McpIconAttribute(string source) : Attribute
{
    public string Source { get; } = source;

    /// <summary>The media type, e.g. <c>image/svg+xml</c> or <c>image/png</c>.</summary>
    public string? MimeType { get; set; }

    /// <summary>Sizes it is drawn for, space-separated (<c>"48x48 96x96"</c>, or <c>"any"</c> for SVG).</summary>
    public string? Sizes { get; set; }

    /// <summary><c>light</c> or <c>dark</c>: the background the icon is made for.</summary>
    public string? Theme { get; set; }

    internal Icon ToIcon() => new()
    {
        Source = Source,
        MimeType = MimeType,
        Sizes = Sizes?.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Theme = Theme,
    };
}

/// <summary>
/// One member of the <c>_meta</c> object of a tool, selector, resource, resource template or prompt as listed,
/// for what clients or extensions read there (e.g. <c>[McpMeta("ui", """{"resourceUri":"ui://desk/board"}""")]</c>).
/// Repeat it for several keys.
/// </summary>
/// <param name="key">The member's name (a reverse-DNS prefix such as <c>com.example/</c> keeps it apart from others').</param>
/// <param name="json">Its value as JSON text; a string value is written with its quotes (<c>"\"dark\""</c>).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class McpMetaAttribute(string key, string json) : Attribute
{
    public string Key { get; } = key;

    public string Json { get; } = json;
}

/// <summary>Icons and <c>_meta</c> of a registration: read from the attributes, checked when the catalog is built.</summary>
public static class McpDecorations
{
    /// <summary>The icons a request type declares with <see cref="McpIconAttribute"/> (null: none).</summary>
    public static IReadOnlyList<Icon>? IconsOf(Type requestType) =>
        requestType.GetCustomAttributes<McpIconAttribute>().Select(a => a.ToIcon()).ToList() is { Count: > 0 } icons ? icons : null;

    /// <summary>
    /// The <c>_meta</c> a request type declares with <see cref="McpMetaAttribute"/> (null: none). A value that is not
    /// JSON, or a key given twice, stops the start naming the type and the key.
    /// </summary>
    public static JsonObject? MetaOf(Type requestType)
    {
        // [McpAppView] is the "ui" member (the MCP Apps extension's).
        var meta = requestType.GetCustomAttribute<Apps.McpAppViewAttribute>() is { } view ? Apps.McpApps.ToolMeta(view.ResourceUri, view.AppOnly) : null;
        foreach (var attribute in requestType.GetCustomAttributes<McpMetaAttribute>())
        {
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(attribute.Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidOperationException(
                    $"[McpMeta(\"{attribute.Key}\", ...)] on {requestType.FullName} is not JSON ({ex.Message}): give the value as JSON text, a string with its quotes.", ex);
            }

            meta ??= [];
            if (!meta.TryAdd(attribute.Key, value))
            {
                throw new InvalidOperationException($"[McpMeta(\"{attribute.Key}\", ...)] is given twice on {requestType.FullName}: give each key once.");
            }
        }

        return meta;
    }

    /// <summary>
    /// Refuses an icon a client must not load (anything but an absolute <c>https:</c> URL or a <c>data:</c> URI, or
    /// a theme other than light and dark) and a <c>_meta</c> key that is empty or uses a prefix MCP reserves
    /// (<c>modelcontextprotocol.io/</c>, <c>mcp.dev/</c> and the like), naming <paramref name="owner"/>.
    /// </summary>
    internal static void Check(string owner, IEnumerable<Icon>? icons, JsonObject? meta)
    {
        if (ProblemOf(owner, icons, meta) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>What <see cref="Check"/> refuses, as its message; null when nothing is wrong.</summary>
    internal static string? ProblemOf(string owner, IEnumerable<Icon>? icons, JsonObject? meta)
    {
        foreach (var icon in icons ?? [])
        {
            if (!Uri.TryCreate(icon.Source, UriKind.Absolute, out var source) || source.Scheme is not ("https" or "data"))
            {
                return $"{owner}: icon '{Clip(icon.Source)}' is not an https: URL or a data: URI.";
            }

            if (icon.Theme is not (null or "light" or "dark"))
            {
                return $"{owner}: icon theme '{icon.Theme}' is neither 'light' nor 'dark'.";
            }
        }

        foreach (var (key, _) in meta ?? [])
        {
            if (string.IsNullOrWhiteSpace(key) || ReservedPrefix(key))
            {
                return $"{owner}: _meta key '{key}' is empty or uses a prefix MCP reserves (its second label is 'modelcontextprotocol' or 'mcp'): use your own, e.g. 'com.example/{key}'.";
            }
        }

        return null;
    }

    /// <summary>MCP 2025-11-25 <c>_meta</c>: a prefix (up to the last <c>/</c>) whose second label is <c>modelcontextprotocol</c> or <c>mcp</c> is reserved.</summary>
    private static bool ReservedPrefix(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var labels = key[..slash].Split('.');
        return labels.Length >= 2 && labels[1] is "modelcontextprotocol" or "mcp";
    }

    private static string Clip(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
