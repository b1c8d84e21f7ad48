using System.Reflection;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Catalog;

/// <summary>Collects what becomes the <see cref="McpCatalog"/>: attribute-marked requests and fluent registrations.</summary>
public sealed class McpCatalogBuilder
{
    private readonly List<ToolRegistration> _tools = [];

    public IReadOnlyList<ToolRegistration> Tools => _tools;

    /// <summary>Every type of <paramref name="assembly"/> marked <see cref="McpToolAttribute"/>.</summary>
    public McpCatalogBuilder AddToolsFromAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.GetCustomAttribute<McpToolAttribute>() is { } tool)
            {
                IReadOnlyList<Icon>? icons = tool.IconUrl is null ? null : [new Icon { Source = tool.IconUrl, MimeType = tool.IconMimeType }];
                _tools.Add(new ToolRegistration(type, tool.Name, tool.Title, tool.Description, tool.Hints, icons));
            }
        }

        return this;
    }

    /// <summary>Exposes <typeparamref name="TRequest"/> as a tool without an attribute.</summary>
    public McpCatalogBuilder AddTool<TRequest>(string name, Func<ToolRegistration, ToolRegistration>? configure = null)
    {
        var registration = new ToolRegistration(typeof(TRequest), name);
        _tools.Add(configure is null ? registration : configure(registration));
        return this;
    }

    /// <summary>Adds a ready registration (for tools whose request type the mediator does not know: give an invoker).</summary>
    public McpCatalogBuilder AddTool(ToolRegistration registration)
    {
        _tools.Add(registration);
        return this;
    }
}
