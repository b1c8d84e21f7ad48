using McpCqrs.Querying;
using McpCqrs.Mcp.Output;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Exposes an <see cref="ISelectorQuery"/> as a selector tool: a read-only tool whose <c>filter</c> and
/// <c>orderBy</c> arguments describe the fields and operators of <see cref="Fields"/> — a type with a public static
/// <c>Map</c> property returning its <see cref="FieldMap{T}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class McpSelectorAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string? Title { get; set; }

    public string? Description { get; set; }

    /// <summary>The type holding the field map (<c>public static FieldMap&lt;TEntity&gt; Map</c>).</summary>
    public required Type Fields { get; set; }

    /// <summary>
    /// How the page is written into the tool result's text content (<c>structuredContent</c> is always JSON); see
    /// <see cref="McpToolAttribute.Output"/>. <see cref="OutputFormat.Auto"/> writes TOON when the page's <c>items</c>
    /// are a uniform array of objects (<see cref="OutputShape.IsUniformArrayOfObjects"/>).
    /// </summary>
    public OutputFormat Output { get; set; }

    /// <summary>See <see cref="McpToolAttribute.TimeoutSeconds"/>.</summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>
    /// Anyone may call it: it needs no permission. Outside the Development environment a binding that declares no
    /// permission (no <c>[ScopeRequired]</c>, <c>[RoleRequired]</c>, <c>[PolicyRequired]</c>, <c>[PermissionRequired]</c>,
    /// nothing under <c>Authorization:Bindings</c>) stops the start unless it says this.
    /// </summary>
    public bool Public { get; set; }

    internal TimeSpan? Timeout => McpToolAttribute.TimeoutOf(TimeoutSeconds);

    internal IFieldMap FieldMap =>
        Fields.GetProperty("Map", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) as IFieldMap
        ?? throw new InvalidOperationException($"{Fields.FullName} has no public static 'Map' property returning a FieldMap<T>.");
}
