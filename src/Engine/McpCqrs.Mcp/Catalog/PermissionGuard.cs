using McpCqrs.Mcp.Behaviors;
using McpCqrs.Querying;
using McpCqrs.Mcp.Security;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Outside the Development environment every tool, selector, resource and prompt must say who may call it: a
/// permission (attribute on its request type, or <c>Authorization:Bindings</c>) or an explicit <c>Public = true</c>.
/// A binding that says neither was most likely forgotten, and would be open to every caller; the start is stopped
/// with a message naming each one. The check is about what the bindings declare, not about the authentication
/// back-end: it runs also when permissions are not enforced (<c>AllowAny</c>), so the same build is safe under a real one.
/// </summary>
public static class PermissionGuard
{
    /// <summary>The bindings that declare no permission and are not marked public, each described for the error.</summary>
    public static IReadOnlyList<string> Unguarded(McpCatalog catalog, PermissionEvaluator permissions)
    {
        var found = new List<string>();
        void Check(bool isPublic, string kind, string name, Type requestType)
        {
            if (!isPublic && permissions.For(requestType).IsEmpty)
            {
                found.Add($"{kind} '{name}' ({requestType.FullName}; configuration key {PermissionOptions.SectionName}:Bindings:{RequestBindings.NameOf(requestType)})");
            }
        }

        foreach (var tool in catalog.Tools)
        {
            Check(tool.IsPublic, typeof(ISelectorQuery).IsAssignableFrom(tool.RequestType) ? "selector" : "tool", tool.Name, tool.RequestType);
        }

        foreach (var resource in catalog.Resources)
        {
            Check(resource.IsPublic, "resource", resource.UriTemplate, resource.RequestType);
        }

        foreach (var prompt in catalog.Prompts)
        {
            Check(prompt.IsPublic, "prompt", prompt.Name, prompt.RequestType);
        }

        return found;
    }

    /// <summary>
    /// Throws, naming every unguarded binding and what to do, unless <paramref name="isDevelopment"/> or there is none.
    /// </summary>
    public static void EnsureGuarded(McpCatalog catalog, PermissionEvaluator permissions, bool isDevelopment)
    {
        if (isDevelopment || Unguarded(catalog, permissions) is not { Count: > 0 } unguarded)
        {
            return;
        }

        var enforcement = permissions.Enforced
            ? string.Empty
            : " Permissions are not enforced on this host (the AllowAny authentication back-end), but they must still be declared: "
              + "this check is about what each binding needs, so the same build is safe under a real back-end.";
        throw new InvalidOperationException(
            $"{unguarded.Count} MCP binding{(unguarded.Count > 1 ? "s declare" : " declares")} no permission, and outside the Development environment "
            + "every tool, selector, resource and prompt must say who may call it:"
            + string.Concat(unguarded.Select(u => $"{Environment.NewLine}  - {u}"))
            + $"{Environment.NewLine}For each, add a permission to its request type ([ScopeRequired], [RoleRequired], [PolicyRequired] or [PermissionRequired]) "
            + $"or under its configuration key, or, if anyone may call it, mark it public (Public = true on its [McpTool], [McpSelector], [McpResource] "
            + "or [McpPrompt] attribute, or on its registration)." + enforcement);
    }
}
