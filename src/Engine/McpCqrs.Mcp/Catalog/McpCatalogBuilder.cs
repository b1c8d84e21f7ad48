using System.Reflection;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>Collects what becomes the <see cref="McpCatalog"/>: attribute-marked requests and fluent registrations.</summary>
public sealed class McpCatalogBuilder
{
    private readonly List<ToolRegistration> _tools = [];
    private readonly List<ResourceRegistration> _resources = [];
    private readonly List<PromptRegistration> _prompts = [];
    private readonly List<Apps.McpAppRegistration> _apps = [];

    public IReadOnlyList<ToolRegistration> Tools => _tools;

    public IReadOnlyList<ResourceRegistration> Resources => _resources;

    public IReadOnlyList<PromptRegistration> Prompts => _prompts;

    /// <summary>The MCP App views (each also among <see cref="Resources"/>).</summary>
    public IReadOnlyList<Apps.McpAppRegistration> Apps => _apps;

    /// <summary>Every type of <paramref name="assembly"/> marked as a tool, a resource or a prompt.</summary>
    public McpCatalogBuilder AddFromAssembly(Assembly assembly)
    {
        AddToolsFromAssembly(assembly);
        foreach (var type in Marked(assembly))
        {
            if (type.GetCustomAttribute<McpResourceAttribute>() is { } resource)
            {
                _resources.Add(new ResourceRegistration(type, resource.UriTemplate, resource.Name, resource.Title, resource.Description, resource.MimeType, CacheTtlMs: resource.CacheTtlMs, CacheScope: resource.CacheScope, Public: resource.Public, Icons: McpDecorations.IconsOf(type), Meta: McpDecorations.MetaOf(type)));
            }

            if (type.GetCustomAttribute<McpPromptAttribute>() is { } prompt)
            {
                _prompts.Add(new PromptRegistration(type, prompt.Name, prompt.Title, prompt.Description, Public: prompt.Public, Icons: McpDecorations.IconsOf(type), Meta: McpDecorations.MetaOf(type)));
            }
        }

        return this;
    }

    /// <summary>Exposes <typeparamref name="TRequest"/> as a resource (or template) without an attribute.</summary>
    public McpCatalogBuilder AddResource<TRequest>(string uriTemplate, Func<ResourceRegistration, ResourceRegistration>? configure = null) =>
        AddResource(Configure(new ResourceRegistration(typeof(TRequest), uriTemplate), configure));

    public McpCatalogBuilder AddResource(ResourceRegistration registration)
    {
        _resources.Add(registration);
        return this;
    }

    /// <summary>Exposes <typeparamref name="TRequest"/> as a prompt without an attribute.</summary>
    public McpCatalogBuilder AddPrompt<TRequest>(string name, Func<PromptRegistration, PromptRegistration>? configure = null) =>
        AddPrompt(Configure(new PromptRegistration(typeof(TRequest), name), configure));

    public McpCatalogBuilder AddPrompt(PromptRegistration registration)
    {
        _prompts.Add(registration);
        return this;
    }

    /// <summary>
    /// Serves an MCP App view: the HTML document at <paramref name="uri"/> (<c>ui://…</c>, media type
    /// <c>text/html;profile=mcp-app</c>), listed and read as a resource. Link tools to it with <c>[McpAppView(uri)]</c>.
    /// </summary>
    public McpCatalogBuilder AddApp(string uri, string name, Func<IServiceProvider, CancellationToken, ValueTask<string>> html, Func<Apps.McpAppRegistration, Apps.McpAppRegistration>? configure = null) =>
        AddApp(Configure(new Apps.McpAppRegistration(uri, name, html), configure));

    public McpCatalogBuilder AddApp(Apps.McpAppRegistration app)
    {
        _resources.Add(app.ToResource());
        _apps.Add(app);
        return this;
    }

    private static T Configure<T>(T registration, Func<T, T>? configure) => configure is null ? registration : configure(registration);

    private static IEnumerable<Type> Marked(Assembly assembly) =>
        assembly.GetTypes().Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }).OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>Every type of <paramref name="assembly"/> marked <see cref="McpToolAttribute"/>.</summary>
    public McpCatalogBuilder AddToolsFromAssembly(Assembly assembly)
    {
        foreach (var type in Marked(assembly))
        {
            if (type.GetCustomAttribute<McpSelectorAttribute>() is { } selector)
            {
                _tools.Add(new ToolRegistration(type, selector.Name, selector.Title, selector.Description, new ToolHints(ReadOnly: true), McpDecorations.IconsOf(type), Selector: selector.FieldMap, Output: selector.Output, Timeout: selector.Timeout, Public: selector.Public, Meta: McpDecorations.MetaOf(type)));
            }

            if (type.GetCustomAttribute<McpToolAttribute>() is { } tool)
            {
                List<Icon> icons = [.. McpDecorations.IconsOf(type) ?? []];
                if (tool.IconUrl is not null)
                {
                    icons.Insert(0, new Icon { Source = tool.IconUrl, MimeType = tool.IconMimeType });
                }

                _tools.Add(new ToolRegistration(type, tool.Name, tool.Title, tool.Description, tool.Hints, icons.Count > 0 ? icons : null, Output: tool.Output, Task: tool.Task, Timeout: tool.Timeout, Public: tool.Public, Meta: McpDecorations.MetaOf(type)));
            }
        }

        return this;
    }

    /// <summary>Exposes <typeparamref name="TRequest"/> as a tool without an attribute.</summary>
    public McpCatalogBuilder AddTool<TRequest>(string name, Func<ToolRegistration, ToolRegistration>? configure = null)
    {
        _tools.Add(Configure(new ToolRegistration(typeof(TRequest), name), configure));
        return this;
    }

    /// <summary>Adds a ready registration (for tools whose request type the mediator does not know: give an invoker).</summary>
    public McpCatalogBuilder AddTool(ToolRegistration registration)
    {
        _tools.Add(registration);
        return this;
    }
}
