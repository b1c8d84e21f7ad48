using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

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
            Icons = ResourceBinding.IconList(registration.Icons),
            Meta = registration.Meta,
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
