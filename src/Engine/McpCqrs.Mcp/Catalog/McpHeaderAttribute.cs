namespace McpCqrs.Mcp.Catalog;

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
