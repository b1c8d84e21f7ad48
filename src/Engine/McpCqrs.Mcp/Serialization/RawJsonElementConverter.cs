using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// Writes a <see cref="JsonElement"/> as the UTF-8 bytes it was parsed from, checked as they are copied. The built-in
/// converter walks the element's document and writes every token again (re-escaping each string); an element comes
/// from a parsed document, so its bytes are JSON already — unless it was parsed with comments or trailing commas
/// allowed, which its bytes still hold: such an element fails the check and is written token by token instead.
/// Reading is the built-in one.
/// </summary>
internal sealed class RawJsonElementConverter : JsonConverter<JsonElement>
{
    public static RawJsonElementConverter Instance { get; } = new();

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        try
        {
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: false);
        }
        catch (JsonException)
        {
            // Refused before anything was written: not strict JSON (a comment, a trailing comma).
            value.WriteTo(writer);
        }
    }
}
