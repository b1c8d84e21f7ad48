using System.Text.Json;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>Reads off a parsed message (no JSON tree).</summary>
internal static class JsonText
{
    /// <summary>The string member <paramref name="property"/> of an object; null when absent, not a string, or not an object.</summary>
    public static string? StringOf(JsonElement? parent, string property) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
