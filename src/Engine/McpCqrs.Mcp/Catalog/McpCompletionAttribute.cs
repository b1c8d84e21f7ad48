namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Names the <see cref="Completion.ICompletionSource"/> that suggests values for a prompt argument or a resource
/// template variable (<c>completion/complete</c>). Put it on the record's parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class McpCompletionAttribute(Type source) : Attribute
{
    public Type Source { get; } = source;
}
