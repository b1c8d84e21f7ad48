using System.Reflection;

namespace McpCqrs.Mcp.Catalog;

/// <summary>Reads the arguments a request type takes from its public constructor (records) or settable properties.</summary>
internal static class RequestParameters
{
    public sealed record Parameter(string Name, Type Type, bool Required, string? Description, Type? CompletionSource);

    public static IReadOnlyList<Parameter> Of(Type requestType)
    {
        var constructor = requestType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var nullability = new NullabilityInfoContext();
        if (constructor is { } ctor && ctor.GetParameters().Length > 0)
        {
            return [.. ctor.GetParameters().Select(p => new Parameter(
                System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name!),
                p.ParameterType,
                !p.HasDefaultValue && nullability.Create(p).WriteState != NullabilityState.Nullable && Nullable.GetUnderlyingType(p.ParameterType) is null,
                Schema.XmlDocumentation.Parameter(requestType, p.Name!),
                (p.GetCustomAttribute<McpCompletionAttribute>() ?? requestType.GetProperty(p.Name!)?.GetCustomAttribute<McpCompletionAttribute>())?.Source))];
        }

        return [.. requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => new Parameter(
            System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name),
            p.PropertyType,
            p.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null,
            Schema.XmlDocumentation.Parameter(requestType, p.Name),
            p.GetCustomAttribute<McpCompletionAttribute>()?.Source))];
    }
}
