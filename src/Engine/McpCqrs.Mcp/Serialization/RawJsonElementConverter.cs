using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// Writes a <see cref="JsonElement"/> as the UTF-8 bytes it was parsed from. The built-in converter walks the
/// element's document and writes every token again (re-escaping each string); an element only ever comes from a
/// parsed document, so its bytes are valid JSON already and a copy says the same. Reading is the built-in one.
/// </summary>
internal sealed class RawJsonElementConverter : JsonConverter<JsonElement>
{
    public static RawJsonElementConverter Instance { get; } = new();

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) =>
        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
}
