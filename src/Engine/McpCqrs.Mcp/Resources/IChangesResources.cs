namespace McpCqrs.Mcp.Resources;

/// <summary>
/// Marks a command that changes what some resources show. After its handler succeeds, subscribers of those
/// URIs get <c>notifications/resources/updated</c>.
/// </summary>
public interface IChangesResources
{
    /// <summary>The URIs of the resources the command changed, given its result.</summary>
    IEnumerable<string> ResourcesChangedBy(object? result);
}
