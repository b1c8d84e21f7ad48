using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// Writes a <see cref="JsonElement"/> as the UTF-8 bytes it was parsed from, checked as they are copied. The built-in
/// converter walks the element's document and writes every token again (re-escaping each string); an element comes
/// from a parsed document, so its bytes are JSON already — unless it was parsed with comments or trailing commas
/// allowed, which its bytes still hold: such an element fails the check and is written token by token instead. So is
/// one spread over several lines (indented JSON): an SSE event's <c>data:</c> line must not break. The bytes are copied
/// with the escaping they came with (the contract's own relaxed escaping for what this engine serializes).
/// Reading is the built-in one.
/// </summary>
internal sealed class RawJsonElementConverter : JsonConverter<JsonElement>
{
    public static RawJsonElementConverter Instance { get; } = new();

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            value.WriteTo(writer);
            return;
        }

        try
        {
            writer.WriteRawValue(raw, skipInputValidation: false);
        }
        catch (JsonException)
        {
            // Refused before anything was written: not strict JSON (a comment, a trailing comma).
            value.WriteTo(writer);
        }
    }
}
