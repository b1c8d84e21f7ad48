using McpCqrs.Mcp.Resources;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>A resource as registered (by attribute or fluently); <see cref="Icons"/> and <see cref="Meta"/> are listed with it.</summary>
public sealed record ResourceRegistration(
    Type RequestType,
    string UriTemplate,
    string? Name = null,
    string? Title = null,
    string? Description = null,
    string? MimeType = null,
    ToolInvoker? Invoker = null,
    long CacheTtlMs = 0,
    string CacheScope = "private",
    bool Public = false,
    IReadOnlyList<Icon>? Icons = null,
    System.Text.Json.Nodes.JsonObject? Meta = null);

/// <summary>A prompt as registered (by attribute or fluently); <see cref="Icons"/> and <see cref="Meta"/> are listed with it.</summary>
public sealed record PromptRegistration(
    Type RequestType,
    string Name,
    string? Title = null,
    string? Description = null,
    ToolInvoker? Invoker = null,
    bool Public = false,
    IReadOnlyList<Icon>? Icons = null,
    System.Text.Json.Nodes.JsonObject? Meta = null);

/// <summary>One query exposed as a resource (fixed URI) or a resource template.</summary>
public sealed class ResourceBinding
{
    internal ResourceBinding(ResourceRegistration registration, Type resultType, UriTemplateMatcher matcher, IReadOnlyDictionary<string, Type> completions)
    {
        RequestType = registration.RequestType;
        ResultType = resultType;
        Matcher = matcher;
        MimeType = registration.MimeType;
        Invoker = registration.Invoker;
        CacheTtlMs = registration.CacheTtlMs;
        CacheScope = registration.CacheScope;
        IsPublic = registration.Public;
        Completions = completions;
        var name = registration.Name ?? registration.RequestType.Name;
        var description = registration.Description ?? Schema.XmlDocumentation.Summary(registration.RequestType);
        if (matcher.IsFixed)
        {
            Resource = new Resource { Uri = matcher.Template, Name = name, Title = registration.Title, Description = description, MimeType = registration.MimeType, Icons = IconList(registration.Icons), Meta = registration.Meta };
        }
        else
        {
            Template = new ResourceTemplate { UriTemplate = matcher.Template, Name = name, Title = registration.Title, Description = description, MimeType = registration.MimeType, Icons = IconList(registration.Icons), Meta = registration.Meta };
        }
    }

    /// <summary>The protocol types' mutable list of <paramref name="icons"/> (null for none).</summary>
    internal static List<Icon>? IconList(IReadOnlyList<Icon>? icons) => icons is { Count: > 0 } ? [.. icons] : null;

    public Type RequestType { get; }

    public Type ResultType { get; }

    public UriTemplateMatcher Matcher { get; }

    public string UriTemplate => Matcher.Template;

    public string? MimeType { get; }

    public ToolInvoker? Invoker { get; }

    /// <summary>Stateless era: how long a client may cache a read (<c>ttlMs</c>); 0 by default (data changes).</summary>
    public long CacheTtlMs { get; }

    /// <summary>Stateless era: <c>public</c>, or <c>private</c> (the default) when what a read shows depends on the caller.</summary>
    public string CacheScope { get; }

    /// <summary>Marked public: anyone may read it, and it needs no permission to start outside Development.</summary>
    public bool IsPublic { get; }

    /// <summary>Set for a fixed URI (listed by <c>resources/list</c>).</summary>
    public Resource? Resource { get; }

    /// <summary>Set for a template (listed by <c>resources/templates/list</c>).</summary>
    public ResourceTemplate? Template { get; }

    /// <summary>Template variable → completion source type.</summary>
    public IReadOnlyDictionary<string, Type> Completions { get; }
}
