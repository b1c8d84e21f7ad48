using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Toon;

/// <summary>Input that cannot be encoded at all (as opposed to a spec-sanctioned lossy normalization).</summary>
internal sealed class ToonEncodeFault(string message) : Exception(message);

/// <summary>
/// What the encoder accepts (spec §2, §3): a <see cref="JsonElement"/> is checked in place (<see cref="Check"/>); a
/// <see cref="JsonNode"/> is first normalized into a JSON document (<see cref="Normalize"/>), so the writer has one
/// input type.
/// </summary>
internal static class ToonInput
{
    /// <summary>Up to this many properties a linear scan is cheaper than a hash set (repeated keys).</summary>
    internal const int SmallObject = 16;

    /// <summary>
    /// Throws <see cref="ToonEncodeFault"/> for what TOON cannot represent in a document's shape: nesting deeper than
    /// <paramref name="maxDepth"/>, an object repeating a property name, a name that is not valid UTF-8 or holds an
    /// unpaired surrogate. Reads names in place (UTF-8 as stored); only an escaped one is decoded to be checked. String
    /// values are checked as the writer decodes them.
    /// </summary>
    public static void Check(JsonElement element, int maxDepth) => CheckValue(element, 0, maxDepth, default);

    /// <summary>
    /// <paramref name="sibling"/>, the object before this one in the same array, lends its checked names: rows of a
    /// list usually repeat them in the same order, and then they are distinct without comparing each pair.
    /// </summary>
    private static void CheckValue(JsonElement element, int depth, int maxDepth, JsonElement sibling)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                EnterContainer(depth, maxDepth);
                CheckNames(element, sibling);
                foreach (var property in element.EnumerateObject())
                {
                    CheckValue(property.Value, depth + 1, maxDepth, default);
                }

                break;
            case JsonValueKind.Array:
                EnterContainer(depth, maxDepth);
                var previous = default(JsonElement);
                foreach (var item in element.EnumerateArray())
                {
                    CheckValue(item, depth + 1, maxDepth, previous);
                    previous = item.ValueKind == JsonValueKind.Object ? item : default;
                }

                break;
            case JsonValueKind.Undefined:
                throw Undefined();
        }
    }

    private static void CheckNames(JsonElement obj, JsonElement sibling)
    {
        if (SameNames(obj, sibling))
        {
            return;
        }

        foreach (var property in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.Contains((byte)'\\'))
            {
                CheckString(Decoded(() => property.Name), "property name");
            }
            else if (!Utf8.IsValid(raw))
            {
                throw NotUtf8("property name");
            }
        }

        var count = obj.GetPropertyCount();
        if (count <= SmallObject)
        {
            var i = 0;
            foreach (var property in obj.EnumerateObject())
            {
                var j = 0;
                foreach (var before in obj.EnumerateObject())
                {
                    if (j++ == i)
                    {
                        break;
                    }

                    if (NameEquals(property, before))
                    {
                        throw Duplicate(property.Name);
                    }
                }

                i++;
            }

            return;
        }

        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Duplicate(property.Name);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="obj"/> has <paramref name="sibling"/>'s names in the same order, written alike (the same
    /// raw UTF-8): then they are as distinct and as well-formed as the sibling's, which were checked.
    /// </summary>
    private static bool SameNames(JsonElement obj, JsonElement sibling)
    {
        if (sibling.ValueKind != JsonValueKind.Object || sibling.GetPropertyCount() != obj.GetPropertyCount())
        {
            return false;
        }

        var theirs = sibling.EnumerateObject();
        foreach (var property in obj.EnumerateObject())
        {
            if (!theirs.MoveNext() || !JsonMarshal.GetRawUtf8PropertyName(property).SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(theirs.Current)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two properties have the same (unescaped) name, compared in UTF-8 unless one is escaped.</summary>
    public static bool NameEquals(JsonProperty property, JsonProperty other)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(other);
        return raw.Contains((byte)'\\') ? property.NameEquals(other.Name) : property.NameEquals(raw);
    }

    /// <summary>A document parsed from bytes is not checked for valid UTF-8 inside its strings until one is read.</summary>
    public static ToonEncodeFault NotUtf8(string what) => new($"A {what} is not valid UTF-8.");

    private static ToonEncodeFault Undefined() => new("An undefined JsonElement cannot be encoded.");

    private static ToonEncodeFault Duplicate(string name) => new($"Duplicate property name '{name}': TOON objects cannot repeat a key.");

    public static string Decoded(Func<string?> read)
    {
        try
        {
            return read()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ToonEncodeFault($"A string cannot be read: {ex.Message}");
        }
    }

    private static void EnterContainer(int depth, int maxDepth)
    {
        if (depth >= maxDepth)
        {
            throw new ToonEncodeFault($"The value nests deeper than MaxDepth ({maxDepth}).");
        }
    }

    public static string CheckString(string value, string what) =>
        ToonSyntax.IsWellFormed(value)
            ? value
            : throw new ToonEncodeFault($"A {what} contains an unpaired surrogate, which TOON (UTF-8 text) cannot represent.");

    /// <summary>
    /// <paramref name="node"/> as a JSON document, with spec §3 host-type normalization: NaN and ±Infinity become
    /// <c>null</c> (and <paramref name="lossy"/> says so); any other CLR value wrapped in a <see cref="JsonValue"/>
    /// (DateTime, Guid, enums, …) is written by its own System.Text.Json serialization; numbers keep their exact text.
    /// </summary>
    public static JsonDocument Normalize(JsonNode? node, int maxDepth, out bool lossy)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var normalizer = new Normalizer(maxDepth);
        // Room for the containers the normalizer lets through; the check of the document enforces the limit itself.
        var documentDepth = maxDepth > int.MaxValue - 2 ? int.MaxValue : maxDepth + 2;
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = documentDepth }))
            {
                normalizer.Write(writer, node, 0);
            }

            lossy = normalizer.Lossy;
            return JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = documentDepth });
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or ArgumentException)
        {
            // What System.Text.Json cannot write or read back: a wrapped value nesting too deep, a string too large for
            // its writer.
            throw new ToonEncodeFault($"The value cannot be written as JSON: {ex.Message}");
        }
    }

    private sealed class Normalizer(int maxDepth)
    {
        public bool Lossy { get; private set; }

        public void Write(Utf8JsonWriter writer, JsonNode? node, int depth)
        {
            switch (node)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case JsonObject obj:
                    EnterContainer(depth, maxDepth);
                    writer.WriteStartObject();
                    try
                    {
                        foreach (var (key, value) in obj)
                        {
                            writer.WritePropertyName(CheckString(key, "property name"));
                            Write(writer, value, depth + 1);
                        }
                    }
                    catch (ArgumentException ex)
                    {
                        // A JsonObject still backed by a JsonElement with duplicate property names throws on first access.
                        throw new ToonEncodeFault($"The object cannot be read: {ex.Message}");
                    }

                    writer.WriteEndObject();
                    break;
                case JsonArray array:
                    EnterContainer(depth, maxDepth);
                    writer.WriteStartArray();
                    foreach (var item in array)
                    {
                        Write(writer, item, depth + 1);
                    }

                    writer.WriteEndArray();
                    break;
                case JsonValue value:
                    WriteValue(writer, value);
                    break;
                default:
                    throw new ToonEncodeFault($"Unsupported JSON node type {node.GetType().Name}.");
            }
        }

        private void WriteValue(Utf8JsonWriter writer, JsonValue value)
        {
            if (!value.TryGetValue<object>(out var raw))
            {
                Serialized(writer, value);
                return;
            }

            switch (raw)
            {
                case JsonElement element when element.ValueKind != JsonValueKind.Undefined:
                    // Its bytes as they are: writing it value by value would replace invalid UTF-8 the document let through.
                    writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(element), skipInputValidation: true);
                    break;
                case JsonElement:
                    throw Undefined();
                case string s:
                    writer.WriteStringValue(CheckString(s, "string"));
                    break;
                case bool b:
                    writer.WriteBooleanValue(b);
                    break;
                case double d:
                    WriteBinaryFloat(writer, double.IsFinite(d), d.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case float f:
                    WriteBinaryFloat(writer, float.IsFinite(f), f.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case Half h:
                    WriteBinaryFloat(writer, Half.IsFinite(h), h.ToString(CultureInfo.InvariantCulture));
                    break;
                case decimal or int or long or short or sbyte or byte or ushort or uint or ulong or Int128 or UInt128 or BigInteger:
                    writer.WriteRawValue(((IFormattable)raw).ToString(null, CultureInfo.InvariantCulture), skipInputValidation: true);
                    break;
                default:
                    Serialized(writer, value);
                    break;
            }
        }

        /// <summary>Any other CLR value: its own System.Text.Json serialization (its serialization hook) decides its JSON form.</summary>
        private static void Serialized(Utf8JsonWriter writer, JsonValue value)
        {
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                using (var own = new Utf8JsonWriter(buffer))
                {
                    value.WriteTo(own);
                }

                writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
            {
                throw new ToonEncodeFault($"The value cannot be serialized to JSON: {ex.Message}");
            }
        }

        private void WriteBinaryFloat(Utf8JsonWriter writer, bool finite, string roundTripText)
        {
            if (finite)
            {
                writer.WriteRawValue(roundTripText, skipInputValidation: true);
                return;
            }

            Lossy = true;
            writer.WriteNullValue();
        }
    }
}
