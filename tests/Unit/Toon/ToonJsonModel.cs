using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Tests.Unit.Toon;

/// <summary>
/// The spec §2 JSON-model equality, written independently of the encoder: numbers compare by exact mathematical value
/// (so -0 equals 0 and 1.50 equals 1.5); NaN and ±Infinity are expected back as null (§3); and the elements of a
/// tabular array or the values of a keyed tabular object may come back in the first element's key order.
/// </summary>
internal static class ToonJsonModel
{
    /// <summary>What decoding the encoded value must yield: a copy with non-finite numbers as null (§3).</summary>
    public static JsonNode? Expected(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Expected(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Expected)]),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number =>
            NumberText(value) is { } text ? JsonNode.Parse(text) : null,
        _ => node.DeepClone(),
    };

    /// <summary>
    /// Explains the first difference under §2 equality, or returns <see langword="null"/> when equal. Both trees are
    /// re-ordered first: in every array of objects and every object of object values sharing one key set, members take
    /// the first member's key order (recursively through object columns) – the reordering tabular forms may apply.
    /// </summary>
    public static string? Difference(JsonNode? expected, JsonNode? actual)
    {
        expected = expected?.DeepClone();
        actual = actual?.DeepClone();
        Align(expected);
        Align(actual);
        return Compare(expected, actual, "$");
    }

    /// <summary>Whether the value holds NaN or ±Infinity, which TOON encodes as null.</summary>
    public static bool HasNonFiniteNumber(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => HasNonFiniteNumber(p.Value)),
        JsonArray array => array.Any(HasNonFiniteNumber),
        JsonValue value => value.GetValueKind() == JsonValueKind.Number && NumberText(value) is null,
        _ => false,
    };

    public static string Show(JsonNode? node) =>
        Expected(node)?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    private static string? NumberText(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.GetRawText();
        }

        if (value.TryGetValue<double>(out var d))
        {
            return double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : null;
        }

        return value.ToJsonString();
    }

    private static void Align(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                if (array.Count > 0 && array.All(i => i is JsonObject))
                {
                    AlignGroup([.. array.Cast<JsonObject>()]);
                }

                foreach (var item in array)
                {
                    Align(item);
                }

                break;
            case JsonObject obj:
                if (obj.Count > 1 && obj.All(p => p.Value is JsonObject))
                {
                    AlignGroup([.. obj.Select(p => (JsonObject)p.Value!)]);
                }

                foreach (var (_, value) in obj)
                {
                    Align(value);
                }

                break;
        }
    }

    private static void AlignGroup(List<JsonObject> group)
    {
        var order = group[0].Select(p => p.Key).ToList();
        if (group.Any(o => o.Count != order.Count || !order.All(o.ContainsKey)))
        {
            return;
        }

        foreach (var obj in group.Skip(1))
        {
            var values = order.Select(k => (k, v: obj[k])).ToList();
            obj.Clear();
            foreach (var (k, v) in values)
            {
                obj[k] = v;
            }
        }

        foreach (var key in order)
        {
            if (group.All(o => o[key] is JsonObject))
            {
                AlignGroup([.. group.Select(o => (JsonObject)o[key]!)]);
            }
        }
    }

    private static string? Compare(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
            {
                var eKeys = e.Select(p => p.Key).ToList();
                var aKeys = a.Select(p => p.Key).ToList();
                if (!eKeys.SequenceEqual(aKeys, StringComparer.Ordinal))
                {
                    return $"{path}: keys [{string.Join(", ", eKeys)}] expected, got [{string.Join(", ", aKeys)}]";
                }

                foreach (var key in eKeys)
                {
                    if (Compare(e[key], a[key], $"{path}[\"{key}\"]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            case (JsonArray e, JsonArray a):
            {
                if (e.Count != a.Count)
                {
                    return $"{path}: {e.Count} elements expected, got {a.Count}";
                }

                for (var i = 0; i < e.Count; i++)
                {
                    if (Compare(e[i], a[i], $"{path}[{i}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            case (JsonValue e, JsonValue a):
            {
                var kind = e.GetValueKind();
                if (kind != a.GetValueKind())
                {
                    return $"{path}: {kind} {e.ToJsonString()} expected, got {a.GetValueKind()} {a.ToJsonString()}";
                }

                var equal = kind switch
                {
                    JsonValueKind.String => string.Equals(e.GetValue<string>(), a.GetValue<string>(), StringComparison.Ordinal),
                    JsonValueKind.Number => Decimal(NumberText(e)!) == Decimal(NumberText(a)!),
                    _ => true,
                };
                return equal ? null : $"{path}: {e.ToJsonString()} expected, got {a.ToJsonString()}";
            }

            default:
                return $"{path}: {expected?.ToJsonString() ?? "null"} expected, got {actual?.ToJsonString() ?? "null"}";
        }
    }

    /// <summary>An exact decimal as (significand without trailing zeros, exponent); zero is (0, 0).</summary>
    private static (BigInteger Significand, BigInteger Exponent) Decimal(string text)
    {
        var mantissa = text;
        BigInteger exponent = 0;
        var e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = BigInteger.Parse(text[(e + 1)..].TrimStart('+'), CultureInfo.InvariantCulture);
            mantissa = text[..e];
        }

        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }

        var significand = BigInteger.Parse(mantissa, CultureInfo.InvariantCulture);
        if (significand.IsZero)
        {
            return (0, 0);
        }

        while (significand % 10 == 0)
        {
            significand /= 10;
            exponent++;
        }

        return (significand, exponent);
    }
}
