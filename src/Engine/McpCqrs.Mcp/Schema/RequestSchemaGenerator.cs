using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using FluentValidation;
using FluentValidation.Validators;
using McpCqrs.Mcp.Serialization;

namespace McpCqrs.Mcp.Schema;

/// <summary>
/// JSON Schema (2020-12) of a request or result type, from <see cref="JsonSchemaExporter"/> with the very options
/// the binder uses, enriched with the request's FluentValidation rules so the model sees the real contract:
/// NotNull/NotEmpty → <c>required</c> (and <c>minLength</c> 1), lengths → <c>minLength</c>/<c>maxLength</c>,
/// comparisons and ranges → <c>minimum</c>/<c>maximum</c> (exclusive where they are), Matches → <c>pattern</c>,
/// EmailAddress → <c>format: email</c>; RuleForEach rules apply to the items. Rules under a condition
/// (<c>When</c>) are left out: the schema states only what always holds. Descriptions come from XML docs.
/// </summary>
public static class RequestSchemaGenerator
{
    /// <summary>The JSON Schema dialect of every generated schema (MCP's default, declared explicitly).</summary>
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
    };

    /// <summary>The input schema: always an object, <c>additionalProperties: false</c>.</summary>
    public static JsonObject Input(Type requestType, IEnumerable<IValidator> validators)
    {
        var schema = Export(requestType);
        schema["type"] = "object";
        schema["additionalProperties"] = false;
        schema["$schema"] = Dialect;
        var properties = schema["properties"] as JsonObject ?? [];
        schema["properties"] = properties;
        Describe(requestType, properties);
        foreach (var validator in validators)
        {
            Enrich(schema, properties, validator.CreateDescriptor());
        }

        return schema;
    }

    /// <summary>The output schema of a result type, or null when the result is not an object (the caller wraps it).</summary>
    public static JsonObject Output(Type resultType)
    {
        var schema = Export(resultType);
        schema.Remove("$schema");
        return schema;
    }

    /// <summary>Whether values of the schema are JSON objects (and so can be structured content unwrapped).</summary>
    public static bool IsObject(JsonObject schema) =>
        schema["type"] switch
        {
            JsonValue value => value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "object",
            JsonArray array => array.Count == 1 && array[0]?.GetValue<string>() == "object",
            _ => false,
        };

    private static JsonObject Export(Type type) =>
        AppJson.Options.GetJsonSchemaAsNode(type, ExporterOptions) as JsonObject
        ?? throw new InvalidOperationException($"The JSON schema of {type} is not an object schema.");

    private static void Describe(Type requestType, JsonObject properties)
    {
        foreach (var (name, node) in properties.ToList())
        {
            if (node is not JsonObject property)
            {
                continue;
            }

            if (property["description"] is null && XmlDocumentation.Parameter(requestType, PascalCase(name)) is { } description)
            {
                property["description"] = description;
            }

            var clr = requestType.GetProperty(PascalCase(name));
            if (clr?.GetCustomAttributes(typeof(Catalog.McpHeaderAttribute), false).FirstOrDefault() is Catalog.McpHeaderAttribute header)
            {
                var type = Nullable.GetUnderlyingType(clr.PropertyType) ?? clr.PropertyType;
                if (type != typeof(string) && type != typeof(bool) && type != typeof(int) && type != typeof(long))
                {
                    throw new InvalidOperationException($"[McpHeader] on {requestType.FullName}.{clr.Name}: only string, integer or boolean arguments can be mirrored in a header.");
                }

                property["x-mcp-header"] = header.Name;
            }
        }
    }

    private static void Enrich(JsonObject schema, JsonObject properties, IValidatorDescriptor descriptor)
    {
        foreach (var rule in descriptor.Rules)
        {
            if (string.IsNullOrEmpty(rule.PropertyName) || rule.PropertyName.Contains('.', StringComparison.Ordinal))
            {
                continue;
            }

            var name = JsonNamingPolicy.CamelCase.ConvertName(rule.PropertyName);
            if (properties[name] is not JsonObject property)
            {
                continue;
            }

            var isCollectionRule = rule.GetType().Name.StartsWith("CollectionPropertyRule", StringComparison.Ordinal);
            var target = isCollectionRule ? property["items"] as JsonObject : property;
            if (target is null)
            {
                continue;
            }

            foreach (var component in rule.Components)
            {
                if (component.HasCondition || component.HasAsyncCondition || rule.HasCondition || rule.HasAsyncCondition)
                {
                    continue;
                }

                Apply(component.Validator, target, () =>
                {
                    if (!isCollectionRule)
                    {
                        Require(schema, name);
                    }
                });
            }
        }
    }

    private static void Apply(IPropertyValidator validator, JsonObject target, Action require)
    {
        switch (validator)
        {
            case INotNullValidator:
                require();
                break;
            case INotEmptyValidator:
                require();
                if (IsType(target, "string"))
                {
                    Tighten(target, "minLength", 1, Math.Max);
                }

                break;
            case ILengthValidator length:
                if (length.Min > 0)
                {
                    Tighten(target, "minLength", length.Min, Math.Max);
                }

                if (length.Max > 0)
                {
                    Tighten(target, "maxLength", length.Max, Math.Min);
                }

                break;
            case IBetweenValidator between when IsNumber(target) && between.From is IConvertible && between.To is IConvertible:
                var exclusive = validator.Name == "ExclusiveBetweenValidator";
                target[exclusive ? "exclusiveMinimum" : "minimum"] = ToNumber(between.From);
                target[exclusive ? "exclusiveMaximum" : "maximum"] = ToNumber(between.To);
                break;
            case IComparisonValidator comparison when IsNumber(target) && comparison.ValueToCompare is IConvertible value:
                var keyword = comparison.Comparison switch
                {
                    Comparison.GreaterThan => "exclusiveMinimum",
                    Comparison.GreaterThanOrEqual => "minimum",
                    Comparison.LessThan => "exclusiveMaximum",
                    Comparison.LessThanOrEqual => "maximum",
                    _ => null,
                };
                if (keyword is not null)
                {
                    target[keyword] = ToNumber(value);
                }

                break;
            case IRegularExpressionValidator regex:
                target["pattern"] = regex.Expression;
                break;
            case IEmailValidator:
                target["format"] = "email";
                break;
        }
    }

    private static void Require(JsonObject schema, string name)
    {
        var required = schema["required"] as JsonArray;
        if (required is null)
        {
            required = [];
            schema["required"] = required;
        }

        if (!required.Any(n => n?.GetValue<string>() == name))
        {
            required.Add(name);
        }
    }

    private static void Tighten(JsonObject target, string keyword, int value, Func<int, int, int> pick) =>
        target[keyword] = target[keyword] is JsonValue existing ? pick(existing.GetValue<int>(), value) : value;

    private static bool IsType(JsonObject target, string type) =>
        target["type"] switch
        {
            JsonValue value => value.GetValue<string>() == type,
            JsonArray array => array.Any(t => t?.GetValue<string>() == type),
            _ => false,
        };

    private static bool IsNumber(JsonObject target) => IsType(target, "integer") || IsType(target, "number");

    private static JsonNode ToNumber(object value) =>
        value is double or float or decimal
            ? JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))
            : JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

    private static string PascalCase(string camel) => camel.Length == 0 ? camel : char.ToUpperInvariant(camel[0]) + camel[1..];
}
