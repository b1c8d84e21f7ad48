using System.Globalization;

namespace McpCqrs.Querying;

/// <summary>
/// Converts the text of a filter value to a field's type: numbers in the invariant culture, <c>true</c>/<c>false</c>,
/// enums by name only (case-insensitive; numbers are refused so that a caller cannot depend on declaration order),
/// ISO 8601 dates and times (a <see cref="DateTime"/> comes back as UTC), GUIDs.
/// </summary>
internal static class ValueConverter
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;
    private const NumberStyles RealStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
    private const DateTimeStyles UtcStyle = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    private static readonly string[] TimeFormats = ["HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF"];

    /// <summary>Whether values of <paramref name="type"/> (not nullable) can be converted here.</summary>
    public static bool IsSupported(Type type) =>
        type.IsEnum
        || type == typeof(string) || type == typeof(bool) || type == typeof(Guid)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly)
        || IsInteger(type) || IsReal(type);

    public static bool IsOrdered(Type type) =>
        type.IsEnum || IsInteger(type) || IsReal(type)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly);

    /// <summary>What a value of <paramref name="type"/> looks like, for messages and field descriptions.</summary>
    public static string Describe(Type type)
    {
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return type switch
        {
            _ when type == typeof(string) => "text",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(Guid) => "GUID",
            _ when type == typeof(DateTime) => "date-time (ISO 8601, UTC unless an offset is given)",
            _ when type == typeof(DateTimeOffset) => "date-time (ISO 8601, UTC unless an offset is given)",
            _ when type == typeof(DateOnly) => "date (yyyy-MM-dd)",
            _ when type == typeof(TimeOnly) => "time (HH:mm or HH:mm:ss)",
            _ when IsInteger(type) => "whole number",
            _ => "number",
        };
    }

    /// <summary>What a value of <paramref name="type"/> must be, for "'x' is not ..." messages.</summary>
    public static string Expected(Type type)
    {
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return type switch
        {
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(Guid) => "a GUID",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "an ISO 8601 date-time (e.g. 2026-01-31 or 2026-01-31T08:00:00Z)",
            _ when type == typeof(DateOnly) => "a date (yyyy-MM-dd)",
            _ when type == typeof(TimeOnly) => "a time (HH:mm or HH:mm:ss)",
            _ when IsInteger(type) => "a whole number",
            _ when IsReal(type) => "a number",
            _ => "text",
        };
    }

    /// <summary>Converts <paramref name="text"/> to <paramref name="type"/> (not nullable); <c>false</c> when it is not one.</summary>
    public static bool TryConvert(string text, Type type, out object? value)
    {
        value = null;
        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type.IsEnum)
        {
            // By name only: Enum.TryParse would also take numbers and comma-separated flag lists.
            foreach (var name in Enum.GetNames(type))
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    value = Enum.Parse(type, name);
                    return true;
                }
            }

            return false;
        }

        var invariant = CultureInfo.InvariantCulture;
        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Boolean:
                return Set(
                    string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) ? true
                    : string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) ? false
                    : null,
                    out value);
            case TypeCode.SByte:
                return Set(sbyte.TryParse(text, IntegerStyle, invariant, out var sb) ? sb : null, out value);
            case TypeCode.Byte:
                return Set(byte.TryParse(text, IntegerStyle, invariant, out var b) ? b : null, out value);
            case TypeCode.Int16:
                return Set(short.TryParse(text, IntegerStyle, invariant, out var s) ? s : null, out value);
            case TypeCode.UInt16:
                return Set(ushort.TryParse(text, IntegerStyle, invariant, out var us) ? us : null, out value);
            case TypeCode.Int32:
                return Set(int.TryParse(text, IntegerStyle, invariant, out var i) ? i : null, out value);
            case TypeCode.UInt32:
                return Set(uint.TryParse(text, IntegerStyle, invariant, out var ui) ? ui : null, out value);
            case TypeCode.Int64:
                return Set(long.TryParse(text, IntegerStyle, invariant, out var l) ? l : null, out value);
            case TypeCode.UInt64:
                return Set(ulong.TryParse(text, IntegerStyle, invariant, out var ul) ? ul : null, out value);
            case TypeCode.Single:
                return Set(float.TryParse(text, RealStyle, invariant, out var f) && float.IsFinite(f) ? f : null, out value);
            case TypeCode.Double:
                return Set(double.TryParse(text, RealStyle, invariant, out var d) && double.IsFinite(d) ? d : null, out value);
            case TypeCode.Decimal:
                return Set(decimal.TryParse(text, RealStyle, invariant, out var m) ? m : null, out value);
            case TypeCode.DateTime:
                return Set(
                    DateTime.TryParseExact(text, DateTimeFormats, invariant, UtcStyle, out var dt) ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : null,
                    out value);
            default:
                break;
        }

        if (type == typeof(DateTimeOffset))
        {
            return Set(
                DateTimeOffset.TryParseExact(text, DateTimeFormats, invariant, DateTimeStyles.AssumeUniversal, out var dto) ? dto.ToUniversalTime() : null,
                out value);
        }

        if (type == typeof(DateOnly))
        {
            return Set(DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date) ? date : null, out value);
        }

        if (type == typeof(TimeOnly))
        {
            return Set(TimeOnly.TryParseExact(text, TimeFormats, invariant, DateTimeStyles.None, out var time) ? time : null, out value);
        }

        if (type == typeof(Guid))
        {
            return Set(Guid.TryParse(text, out var guid) ? guid : null, out value);
        }

        return false;
    }

    private static bool Set(object? converted, out object? value)
    {
        value = converted;
        return converted is not null;
    }

    private static bool IsInteger(Type type) => Type.GetTypeCode(type) is
        TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16
        or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 && !type.IsEnum;

    private static bool IsReal(Type type) => Type.GetTypeCode(type) is TypeCode.Single or TypeCode.Double or TypeCode.Decimal;
}
