namespace McpCqrs.Mcp.Catalog;

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
