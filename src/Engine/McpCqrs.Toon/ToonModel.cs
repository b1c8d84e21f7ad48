using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Toon;

/// <summary>The JSON data model (spec §2) after host-type normalization (§3): what the encoder works on.</summary>
internal abstract class ToonNode;

internal enum ToonPrimitiveKind
{
    Null,
    True,
    False,
    Number,
    String,
}

internal sealed class ToonPrimitive : ToonNode
{
    public static readonly ToonPrimitive Null = new(ToonPrimitiveKind.Null, "null");
    public static readonly ToonPrimitive True = new(ToonPrimitiveKind.True, "true");
    public static readonly ToonPrimitive False = new(ToonPrimitiveKind.False, "false");

    private ToonPrimitive(ToonPrimitiveKind kind, string text)
    {
        Kind = kind;
        Text = text;
    }

    public ToonPrimitiveKind Kind { get; }

    /// <summary>The string value, the canonical number text, or the literal.</summary>
    public string Text { get; }

    public static ToonPrimitive String(string value) => new(ToonPrimitiveKind.String, value);

    public static ToonPrimitive Number(string canonical) => new(ToonPrimitiveKind.Number, canonical);
}

internal sealed class ToonArrayNode(List<ToonNode> items) : ToonNode
{
    public List<ToonNode> Items { get; } = items;
}

internal sealed class ToonObjectNode(List<KeyValuePair<string, ToonNode>> properties) : ToonNode
{
    private Dictionary<string, ToonNode>? _index;

    public List<KeyValuePair<string, ToonNode>> Properties { get; } = properties;

    public int Count => Properties.Count;

    public bool TryGet(string key, out ToonNode value)
    {
        if (Properties.Count <= ToonModelBuilder.SmallObject)
        {
            foreach (var property in Properties)
            {
                if (string.Equals(property.Key, key, StringComparison.Ordinal))
                {
                    value = property.Value;
                    return true;
                }
            }

            value = ToonPrimitive.Null;
            return false;
        }

        _index ??= Properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return _index.TryGetValue(key, out value!);
    }
}

/// <summary>Input that cannot be encoded at all (as opposed to a spec-sanctioned lossy normalization).</summary>
internal sealed class ToonEncodeFault(string message) : Exception(message);

/// <summary>
/// Converts System.Text.Json values into <see cref="ToonNode"/>s, applying spec §3 normalization and recording whether
/// anything was normalized away (<see cref="Lossy"/>).
/// </summary>
internal sealed class ToonModelBuilder(int maxDepth)
{
    /// <summary>A value was changed by normalization: NaN or ±Infinity became null.</summary>
    public bool Lossy { get; private set; }

    public ToonNode FromNode(JsonNode? node, int depth = 0)
    {
        switch (node)
        {
            case null:
                return ToonPrimitive.Null;
            case JsonObject obj:
            {
                EnterContainer(depth);
                var properties = new List<KeyValuePair<string, ToonNode>>();
                try
                {
                    foreach (var (key, value) in obj)
                    {
                        properties.Add(new(CheckString(key, "property name"), FromNode(value, depth + 1)));
                    }
                }
                catch (ArgumentException ex)
                {
                    // A JsonObject still backed by a JsonElement with duplicate property names throws on first access.
                    throw new ToonEncodeFault($"The object cannot be read: {ex.Message}");
                }

                return new ToonObjectNode(properties);
            }

            case JsonArray array:
            {
                EnterContainer(depth);
                var items = new List<ToonNode>(array.Count);
                foreach (var item in array)
                {
                    items.Add(FromNode(item, depth + 1));
                }

                return new ToonArrayNode(items);
            }

            case JsonValue value:
                return FromValue(value, depth);
            default:
                throw new ToonEncodeFault($"Unsupported JSON node type {node.GetType().Name}.");
        }
    }

    /// <summary>
    /// The model of <paramref name="element"/>. <paramref name="sibling"/>, the object before it in the same array, lends
    /// its property names: rows of a list usually repeat them in the same order, and a name equal to the sibling's
    /// (compared in UTF-8, as stored) reuses its string instead of decoding the name again.
    /// </summary>
    public ToonNode FromElement(JsonElement element, int depth = 0, ToonObjectNode? sibling = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
            {
                EnterContainer(depth);
                var properties = new List<KeyValuePair<string, ToonNode>>(element.GetPropertyCount());
                HashSet<string>? seen = null;
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = sibling is not null && properties.Count < sibling.Count && property.NameEquals(sibling.Properties[properties.Count].Key)
                            ? sibling.Properties[properties.Count].Key
                            : CheckString(property.Name, "property name");
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new ToonEncodeFault($"A property name cannot be read: {ex.Message}");
                    }

                    // Small objects (the usual rows) are checked for a repeated key by a scan, larger ones by a set.
                    if (properties.Count < SmallObject ? Contains(properties, name) : !(seen ??= NewSeen(properties)).Add(name))
                    {
                        throw new ToonEncodeFault($"Duplicate property name '{name}': TOON objects cannot repeat a key.");
                    }

                    properties.Add(new(name, FromElement(property.Value, depth + 1)));
                }

                return new ToonObjectNode(properties);
            }

            case JsonValueKind.Array:
            {
                EnterContainer(depth);
                var items = new List<ToonNode>(element.GetArrayLength());
                ToonObjectNode? previous = null;
                foreach (var item in element.EnumerateArray())
                {
                    var node = FromElement(item, depth + 1, previous);
                    items.Add(node);
                    previous = node as ToonObjectNode;
                }

                return new ToonArrayNode(items);
            }

            case JsonValueKind.String:
                try
                {
                    return ToonPrimitive.String(CheckString(element.GetString()!, "string"));
                }
                catch (InvalidOperationException ex)
                {
                    throw new ToonEncodeFault($"A string cannot be read: {ex.Message}");
                }
            case JsonValueKind.Number:
                return NumberFromText(element.GetRawText());
            case JsonValueKind.True:
                return ToonPrimitive.True;
            case JsonValueKind.False:
                return ToonPrimitive.False;
            case JsonValueKind.Null:
                return ToonPrimitive.Null;
            default:
                throw new ToonEncodeFault("An undefined JsonElement cannot be encoded.");
        }
    }

    private ToonNode FromValue(JsonValue value, int depth)
    {
        if (!value.TryGetValue<object>(out var raw))
        {
            return Serialized(value, depth);
        }

        switch (raw)
        {
            case JsonElement element:
                return FromElement(element, depth);
            case string s:
                return ToonPrimitive.String(CheckString(s, "string"));
            case bool b:
                return b ? ToonPrimitive.True : ToonPrimitive.False;
            case double d:
                return FromBinaryFloat(double.IsFinite(d), d.ToString("R", CultureInfo.InvariantCulture));
            case float f:
                return FromBinaryFloat(float.IsFinite(f), f.ToString("R", CultureInfo.InvariantCulture));
            case Half h:
                return FromBinaryFloat(Half.IsFinite(h), h.ToString(CultureInfo.InvariantCulture));
            case decimal m:
                return NumberFromText(m.ToString(CultureInfo.InvariantCulture));
            case int or long or short or sbyte or byte or ushort or uint or ulong or Int128 or UInt128 or BigInteger:
                return NumberFromText(((IFormattable)raw).ToString(null, CultureInfo.InvariantCulture));
            default:
                return Serialized(value, depth);
        }
    }

    /// <summary>
    /// Spec §3 host-type normalization for any other CLR value wrapped in a <see cref="JsonValue"/> (DateTime, Guid,
    /// enums, …): the value's own System.Text.Json serialization (its serialization hook) decides its JSON form.
    /// </summary>
    private ToonNode Serialized(JsonValue value, int depth)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(writer);
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return FromElement(document.RootElement, depth);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new ToonEncodeFault($"The value cannot be serialized to JSON: {ex.Message}");
        }
    }

    private ToonPrimitive FromBinaryFloat(bool finite, string roundTripText)
    {
        if (finite)
        {
            return NumberFromText(roundTripText);
        }

        Lossy = true;
        return ToonPrimitive.Null;
    }

    private static ToonPrimitive NumberFromText(string text) =>
        ToonPrimitive.Number(ToonNumber.IsCanonicalInteger(text) ? text : ToonNumber.TryCanonicalize(text, out var canonical) ? canonical : text);

    private void EnterContainer(int depth)
    {
        if (depth >= maxDepth)
        {
            throw new ToonEncodeFault($"The value nests deeper than MaxDepth ({maxDepth}).");
        }
    }

    private static string CheckString(string value, string what) =>
        ToonSyntax.IsWellFormed(value)
            ? value
            : throw new ToonEncodeFault($"A {what} contains an unpaired surrogate, which TOON (UTF-8 text) cannot represent.");

    /// <summary>Up to this many properties a linear scan is cheaper than a hash set (for duplicate keys and lookups).</summary>
    internal const int SmallObject = 16;

    private static bool Contains(List<KeyValuePair<string, ToonNode>> properties, string name)
    {
        foreach (var property in properties)
        {
            if (string.Equals(property.Key, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> NewSeen(List<KeyValuePair<string, ToonNode>> properties)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            seen.Add(property.Key);
        }

        return seen;
    }
}
