using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpCqrs.Mcp.Serialization;

/// <summary>
/// The one JSON contract of requests and results, for REST bodies and MCP tool arguments/results alike:
/// camelCase names, enums by name, unknown members refused, nullability and required constructor parameters
/// respected. MCP input schemas are generated with these options, so the schema a model sees is the contract
/// the binder enforces.
/// </summary>
public static class AppJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Applies the contract to options owned by someone else (ASP.NET Core's HTTP JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        // JSON for APIs and models, never embedded in HTML: keep quotes and non-ASCII readable (and fewer tokens).
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
