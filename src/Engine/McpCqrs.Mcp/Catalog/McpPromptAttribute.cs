namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Exposes a query as an MCP prompt. Its properties are the prompt's arguments (strings on the wire, converted
/// to the property types); one without a default value is required. The result is a string (one user
/// message), a <see cref="PromptContent"/> (text and embedded resources, without the protocol's types), a
/// <c>PromptMessage</c>, a list of them, or a <c>GetPromptResult</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class McpPromptAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string? Title { get; set; }

    /// <summary>Defaults to the request type's XML summary.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Anyone may get it: it needs no permission. Outside the Development environment a binding that declares no
    /// permission (no <c>[ScopeRequired]</c>, <c>[RoleRequired]</c>, <c>[PolicyRequired]</c>, <c>[PermissionRequired]</c>,
    /// nothing under <c>Authorization:Bindings</c>) stops the start unless it says this.
    /// </summary>
    public bool Public { get; set; }
}
