using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Exceptions;

namespace McpCqrs.Mcp.Methods;

/// <summary>
/// Binds string-valued arguments (prompt arguments, URI template variables) to a request: each string becomes
/// the JSON value its property's type expects (a number, a boolean, an enum name, a string), then the request is
/// bound like tool arguments, with the same errors.
/// </summary>
public static class StringArguments
{
    public static object Bind(Type requestType, IReadOnlyDictionary<string, string>? values)
    {
        var properties = requestType.GetProperties().ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        var arguments = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            if (!properties.TryGetValue(name, out var type))
            {
                throw new RequestValidationException(requestType.Name, [new FieldError(name, $"'{name}' is not an argument of this request.", "unknown_field")]);
            }

            arguments[JsonNamingPolicy.CamelCase.ConvertName(name)] = JsonSerializer.SerializeToElement(ToJson(Nullable.GetUnderlyingType(type) ?? type, value));
        }

        // An optional argument the caller left out binds as null (or the parameter's default), not as "missing".
        var nullability = new System.Reflection.NullabilityInfoContext();
        foreach (var parameter in requestType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()?.GetParameters() ?? [])
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
            if (!arguments.ContainsKey(name) && !parameter.HasDefaultValue
                && (Nullable.GetUnderlyingType(parameter.ParameterType) is not null || nullability.Create(parameter).WriteState == System.Reflection.NullabilityState.Nullable))
            {
                arguments[name] = JsonSerializer.SerializeToElement<object?>(null);
            }
        }

        return ArgumentBinder.Bind(requestType, arguments);
    }

    private static JsonNode? ToJson(Type type, string value)
    {
        if (type == typeof(bool) && bool.TryParse(value, out var flag))
        {
            return flag;
        }

        if ((type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if ((type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte)) && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var natural))
        {
            return natural;
        }

        if ((type == typeof(decimal) || type == typeof(double) || type == typeof(float)) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        // Strings, enum names, dates, GUIDs — and anything unparsable, which the binder then reports by field.
        return value;
    }
}
