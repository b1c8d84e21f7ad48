namespace McpCqrs.Application.Mcp.Catalog;

/// <summary>
/// Exposes a query as an MCP resource at a fixed URI or an RFC 6570 URI template (<c>tickets://{id}</c>). The
/// template's variables are bound to the query's properties of the same name, with type conversion. The result
/// becomes the resource's contents: a string as text, bytes as a base64 blob, SDK resource contents as they
/// are, anything else as JSON.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class McpResourceAttribute(string uriTemplate) : Attribute
{
    public string UriTemplate { get; } = uriTemplate;

    /// <summary>A short programmatic name; defaults to the request type's name.</summary>
    public string? Name { get; set; }

    public string? Title { get; set; }

    /// <summary>Defaults to the request type's XML summary.</summary>
    public string? Description { get; set; }

    /// <summary>The contents' media type; defaults by result (text/plain, application/json, application/octet-stream).</summary>
    public string? MimeType { get; set; }

    /// <summary>Stateless era: how long a client may cache a read, in milliseconds (default 0).</summary>
    public long CacheTtlMs { get; set; }

    /// <summary>Stateless era: "private" (default: the data may depend on the caller) or "public".</summary>
    public string CacheScope { get; set; } = "private";

    /// <summary>
    /// Anyone may read it: it needs no permission. Outside the Development environment a binding that declares no
    /// permission (no <c>[ScopeRequired]</c>, <c>[RoleRequired]</c>, <c>[PolicyRequired]</c>, <c>[PermissionRequired]</c>,
    /// nothing under <c>Authorization:Bindings</c>) stops the start unless it says this.
    /// </summary>
    public bool Public { get; set; }
}

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

/// <summary>
/// Mirrors a tool argument in an HTTP header (<c>x-mcp-header</c>, 2026-07-28): a stateless-era request must carry
/// <c>Mcp-Param-{Name}</c> with the argument's value, so gateways can route on it without reading the body. Only on
/// string, integer or boolean properties; never on secrets. Put it on the record's parameter with <c>property:</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class McpHeaderAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Names the <see cref="Completion.ICompletionSource"/> that suggests values for a prompt argument or a resource
/// template variable (<c>completion/complete</c>). Put it on the record's parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class McpCompletionAttribute(Type source) : Attribute
{
    public Type Source { get; } = source;
}
