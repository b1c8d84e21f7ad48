using System.Reflection;
using McpCqrs.Application.Mcp.Resources;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Catalog;

/// <summary>A resource as registered (by attribute or fluently).</summary>
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
    bool Public = false);

/// <summary>A prompt as registered (by attribute or fluently).</summary>
public sealed record PromptRegistration(
    Type RequestType,
    string Name,
    string? Title = null,
    string? Description = null,
    ToolInvoker? Invoker = null,
    bool Public = false);

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
            Resource = new Resource { Uri = matcher.Template, Name = name, Title = registration.Title, Description = description, MimeType = registration.MimeType };
        }
        else
        {
            Template = new ResourceTemplate { UriTemplate = matcher.Template, Name = name, Title = registration.Title, Description = description, MimeType = registration.MimeType };
        }
    }

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

/// <summary>One query exposed as a prompt.</summary>
public sealed class PromptBinding
{
    internal PromptBinding(PromptRegistration registration, Type resultType, IReadOnlyList<PromptArgument> arguments, IReadOnlyDictionary<string, Type> completions)
    {
        RequestType = registration.RequestType;
        ResultType = resultType;
        Invoker = registration.Invoker;
        IsPublic = registration.Public;
        Completions = completions;
        Prompt = new Prompt
        {
            Name = registration.Name,
            Title = registration.Title,
            Description = registration.Description ?? Schema.XmlDocumentation.Summary(registration.RequestType),
            Arguments = arguments.Count == 0 ? null : [.. arguments],
        };
    }

    public string Name => Prompt.Name;

    public Type RequestType { get; }

    public Type ResultType { get; }

    public ToolInvoker? Invoker { get; }

    public Prompt Prompt { get; }

    /// <summary>Marked public: anyone may get it, and it needs no permission to start outside Development.</summary>
    public bool IsPublic { get; }

    /// <summary>Argument → completion source type.</summary>
    public IReadOnlyDictionary<string, Type> Completions { get; }
}

/// <summary>Reads the arguments a request type takes from its public constructor (records) or settable properties.</summary>
internal static class RequestParameters
{
    public sealed record Parameter(string Name, Type Type, bool Required, string? Description, Type? CompletionSource);

    public static IReadOnlyList<Parameter> Of(Type requestType)
    {
        var constructor = requestType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var nullability = new NullabilityInfoContext();
        if (constructor is { } ctor && ctor.GetParameters().Length > 0)
        {
            return [.. ctor.GetParameters().Select(p => new Parameter(
                System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name!),
                p.ParameterType,
                !p.HasDefaultValue && nullability.Create(p).WriteState != NullabilityState.Nullable && Nullable.GetUnderlyingType(p.ParameterType) is null,
                Schema.XmlDocumentation.Parameter(requestType, p.Name!),
                (p.GetCustomAttribute<McpCompletionAttribute>() ?? requestType.GetProperty(p.Name!)?.GetCustomAttribute<McpCompletionAttribute>())?.Source))];
        }

        return [.. requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => new Parameter(
            System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name),
            p.PropertyType,
            p.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null,
            Schema.XmlDocumentation.Parameter(requestType, p.Name),
            p.GetCustomAttribute<McpCompletionAttribute>()?.Source))];
    }
}
