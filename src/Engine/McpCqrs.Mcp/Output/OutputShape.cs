using System.Text.Json;

namespace McpCqrs.Mcp.Output;

/// <summary>What <see cref="OutputFormat.Auto"/> looks at: whether a value is the table-like data TOON is made for.</summary>
public static class OutputShape
{
    /// <summary>
    /// True when <paramref name="value"/> is a uniform array of objects (<see cref="IsUniformArrayOfObjects"/>), or an
    /// object one of whose own properties — top level only, not deeper — is one: a page envelope's <c>items</c>, a
    /// wrapped list's <c>result</c>.
    /// </summary>
    public static bool PrefersToon(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => IsUniformArrayOfObjects(value),
        JsonValueKind.Object => value.EnumerateObject().Any(p => IsUniformArrayOfObjects(p.Value)),
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="value"/> is a JSON array that (1) has at least one element, (2) whose elements are
    /// all objects with at least one property, (3) each property name appearing once per object, (4) all objects having
    /// the same set of property names (compared ordinally; their order may differ, as in TOON §9.3), and (5) every
    /// property value being a primitive: a string, a number, <c>true</c>, <c>false</c> or <c>null</c> — no object, no
    /// array. Such an array is written by TOON as a table: the keys once in a header, then one line of values per
    /// element.
    /// </summary>
    public static bool IsUniformArrayOfObjects(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            return false;
        }

        HashSet<string>? keys = null;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!seen.Add(property.Name) || !IsPrimitive(property.Value) || (keys is not null && !keys.Contains(property.Name)))
                {
                    return false;
                }
            }

            if (seen.Count == 0 || (keys is not null && seen.Count != keys.Count))
            {
                return false;
            }

            keys ??= seen;
        }

        return true;
    }

    private static bool IsPrimitive(JsonElement value) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
}
