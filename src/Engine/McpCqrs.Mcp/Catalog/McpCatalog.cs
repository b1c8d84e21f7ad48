using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using McpCqrs.Querying;
using McpCqrs.Mcp.Schema;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// A tool as registered (by attribute or fluently), before its schemas are generated. An explicit
/// <see cref="InputSchema"/> replaces the generated one (for schemas C# types cannot say, e.g. conditionals);
/// arguments are still bound to <see cref="RequestType"/>. <see cref="Output"/> is how the result is written into the
/// tool result's text content (<see cref="McpCqrs.Mcp.Output.OutputFormat"/>; <c>Default</c> = the server
/// default). <see cref="Timeout"/> replaces <see cref="McpLimitsOptions.DispatchTimeout"/> for this tool (null: the
/// server's). <see cref="Public"/>: anyone may call it (see <see cref="McpToolAttribute.Public"/>). <see cref="Icons"/>
/// and <see cref="Meta"/> (the tool's <c>_meta</c>, e.g. an MCP App's <c>ui</c>) are listed with it.
/// </summary>
public sealed record ToolRegistration(
    Type RequestType,
    string Name,
    string? Title = null,
    string? Description = null,
    ToolHints? Hints = null,
    IReadOnlyList<Icon>? Icons = null,
    ToolInvoker? Invoker = null,
    JsonElement? InputSchema = null,
    IFieldMap? Selector = null,
    McpCqrs.Mcp.Output.OutputFormat Output = McpCqrs.Mcp.Output.OutputFormat.Default,
    TaskSupport Task = TaskSupport.Forbidden,
    TimeSpan? Timeout = null,
    bool Public = false,
    System.Text.Json.Nodes.JsonObject? Meta = null);

/// <summary>Which list of the catalog changed.</summary>
public enum CatalogKind
{
    Tools,
    Resources,
    Prompts,
}

public sealed class CatalogChangedEventArgs(CatalogKind kind) : EventArgs
{
    public CatalogKind Kind { get; } = kind;
}

/// <summary>
/// What this server exposes over MCP: tools, resources (fixed URIs and templates) and prompts. Built once at
/// start-up from the registrations (a duplicate or malformed name fails the start with a message naming the
/// binding); entries can be added or removed at run time, which raises <see cref="Changed"/> (the transport
/// turns it into the <c>list_changed</c> notification of that list).
/// </summary>
public sealed partial class McpCatalog
{
    private readonly Registry<ToolBinding> _tools = new("tool", b => b.Name, b => b.RequestType);
    private readonly Registry<ResourceBinding> _resources = new("resource", b => b.UriTemplate, b => b.RequestType);
    private readonly Registry<PromptBinding> _prompts = new("prompt", b => b.Name, b => b.RequestType);
    private readonly Func<Type, IEnumerable<IValidator>> _validators;

    public McpCatalog(IEnumerable<ToolRegistration> registrations, Func<Type, IEnumerable<IValidator>> validators)
        : this(registrations, [], [], validators)
    {
    }

    public McpCatalog(
        IEnumerable<ToolRegistration> tools,
        IEnumerable<ResourceRegistration> resources,
        IEnumerable<PromptRegistration> prompts,
        Func<Type, IEnumerable<IValidator>> validators)
    {
        _validators = validators;
        foreach (var registration in tools)
        {
            _tools.Add(Bind(registration));
        }

        foreach (var registration in resources)
        {
            _resources.Add(Bind(registration));
        }

        foreach (var registration in prompts)
        {
            _prompts.Add(Bind(registration));
        }

        Apps.McpApps.CheckLinks(_tools.Items, _resources.Items);
    }

    /// <summary>Raised after an entry was added or removed at run time.</summary>
    public event EventHandler<CatalogChangedEventArgs>? Changed;

    /// <summary>The tools in registration order (a stable order keeps cursors meaningful).</summary>
    public IReadOnlyList<ToolBinding> Tools => _tools.Items;

    public IReadOnlyList<ResourceBinding> Resources => _resources.Items;

    public IReadOnlyList<PromptBinding> Prompts => _prompts.Items;

    public bool TryGetTool(string name, out ToolBinding binding) => _tools.TryGet(name, out binding);

    public bool TryGetPrompt(string name, out PromptBinding binding) => _prompts.TryGet(name, out binding);

    public bool TryGetResourceTemplate(string uriTemplate, out ResourceBinding binding) => _resources.TryGet(uriTemplate, out binding);

    /// <summary>The resource a URI names: a fixed URI first, then the first template that matches.</summary>
    public bool TryMatchResource(string uri, out ResourceBinding binding, out IReadOnlyDictionary<string, string> variables)
    {
        if (_resources.TryGet(uri, out binding) && binding.Matcher.IsFixed)
        {
            variables = new Dictionary<string, string>();
            return true;
        }

        foreach (var candidate in _resources.Items)
        {
            if (!candidate.Matcher.IsFixed && candidate.Matcher.TryMatch(uri, out variables))
            {
                binding = candidate;
                return true;
            }
        }

        binding = null!;
        variables = new Dictionary<string, string>();
        return false;
    }

    /// <summary>Adds a tool while the server runs.</summary>
    public ToolBinding AddTool(ToolRegistration registration)
    {
        var binding = Bind(registration);
        _tools.Add(binding);
        Changed?.Invoke(this, new CatalogChangedEventArgs(CatalogKind.Tools));
        return binding;
    }

    /// <summary>Removes a tool while the server runs; false when there was none of that name.</summary>
    public bool RemoveTool(string name) => Removed(_tools.Remove(name), CatalogKind.Tools);

    public ResourceBinding AddResource(ResourceRegistration registration)
    {
        var binding = Bind(registration);
        _resources.Add(binding);
        Changed?.Invoke(this, new CatalogChangedEventArgs(CatalogKind.Resources));
        return binding;
    }

    public bool RemoveResource(string uriTemplate) => Removed(_resources.Remove(uriTemplate), CatalogKind.Resources);

    public PromptBinding AddPrompt(PromptRegistration registration)
    {
        var binding = Bind(registration);
        _prompts.Add(binding);
        Changed?.Invoke(this, new CatalogChangedEventArgs(CatalogKind.Prompts));
        return binding;
    }

    public bool RemovePrompt(string name) => Removed(_prompts.Remove(name), CatalogKind.Prompts);

    private bool Removed(bool removed, CatalogKind kind)
    {
        if (removed)
        {
            Changed?.Invoke(this, new CatalogChangedEventArgs(kind));
        }

        return removed;
    }

    private ResourceBinding Bind(ResourceRegistration registration)
    {
        var (resultType, _) = RequestShape(registration.RequestType)
            ?? throw new InvalidOperationException($"{registration.RequestType.FullName} is registered as MCP resource '{registration.UriTemplate}' but is neither an IQuery<T> nor an ICommand<T>.");
        McpCqrs.Mcp.Resources.UriTemplateMatcher matcher;
        try
        {
            matcher = new McpCqrs.Mcp.Resources.UriTemplateMatcher(registration.UriTemplate);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"MCP resource of {registration.RequestType.FullName}: {ex.Message}", ex);
        }

        var parameters = RequestParameters.Of(registration.RequestType);
        foreach (var variable in matcher.Variables)
        {
            if (!parameters.Any(p => string.Equals(p.Name, variable, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException(
                    $"MCP resource '{registration.UriTemplate}': {registration.RequestType.FullName} has no property for the template variable '{variable}'.");
            }
        }

        McpDecorations.Check($"MCP resource '{registration.UriTemplate}' of {registration.RequestType.FullName}", registration.Icons, registration.Meta);
        var completions = parameters
            .Where(p => p.CompletionSource is not null && matcher.Variables.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(p => matcher.Variables.First(v => string.Equals(v, p.Name, StringComparison.OrdinalIgnoreCase)), p => p.CompletionSource!, StringComparer.Ordinal);
        return new ResourceBinding(registration, resultType, matcher, completions);
    }

    private PromptBinding Bind(PromptRegistration registration)
    {
        if (!ToolName().IsMatch(registration.Name))
        {
            throw new InvalidOperationException(
                $"MCP prompt name '{registration.Name}' of {registration.RequestType.FullName} is not valid: use 1–128 letters, digits, '_', '-' or '.'.");
        }

        var (resultType, _) = RequestShape(registration.RequestType)
            ?? throw new InvalidOperationException($"{registration.RequestType.FullName} is registered as MCP prompt '{registration.Name}' but is neither an IQuery<T> nor an ICommand<T>.");
        var parameters = RequestParameters.Of(registration.RequestType);
        var arguments = parameters
            .Select(p => new PromptArgument { Name = p.Name, Description = p.Description, Required = p.Required })
            .ToList();
        var completions = parameters.Where(p => p.CompletionSource is not null).ToDictionary(p => p.Name, p => p.CompletionSource!, StringComparer.Ordinal);
        McpDecorations.Check($"MCP prompt '{registration.Name}' of {registration.RequestType.FullName}", registration.Icons, registration.Meta);
        return new PromptBinding(registration, resultType, arguments, completions);
    }

    private ToolBinding Bind(ToolRegistration registration)
    {
        var requestType = registration.RequestType;
        if (!ToolName().IsMatch(registration.Name))
        {
            throw new InvalidOperationException(
                $"MCP tool name '{registration.Name}' of {requestType.FullName} is not valid: use 1–128 letters, digits, '_', '-' or '.'.");
        }

        var (resultType, isQuery) = RequestShape(requestType)
            ?? throw new InvalidOperationException(
                $"{requestType.FullName} is registered as MCP tool '{registration.Name}' but is neither an ICommand<T> nor an IQuery<T>.");
        if (!Enum.IsDefined(registration.Task))
        {
            throw new InvalidOperationException(
                $"MCP tool '{registration.Name}' of {requestType.FullName} has task support {(int)registration.Task}, which is not one of Forbidden, Optional or Required.");
        }

        if (!Enum.IsDefined(registration.Output))
        {
            throw new InvalidOperationException(
                $"MCP tool '{registration.Name}' of {requestType.FullName} has output format {(int)registration.Output}, which is not one of Default, Json, Toon or Auto.");
        }

        var input = registration.InputSchema is { } explicitSchema
            ? System.Text.Json.Nodes.JsonObject.Create(explicitSchema) ?? throw new InvalidOperationException($"The input schema of MCP tool '{registration.Name}' must be a JSON object.")
            : RequestSchemaGenerator.Input(requestType, _validators(requestType));
        if (registration.Selector is { } selector)
        {
            DescribeSelector(registration, input, selector);
        }

        if (input["type"]?.GetValue<string>() != "object")
        {
            throw new InvalidOperationException($"The input schema of MCP tool '{registration.Name}' must have \"type\": \"object\".");
        }
        JsonElement? output = null;
        var wraps = false;
        if (resultType != typeof(ToolContent))
        {
            var schema = RequestSchemaGenerator.Output(resultType);
            if (!RequestSchemaGenerator.IsObject(schema))
            {
                wraps = true;
                schema = new System.Text.Json.Nodes.JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new System.Text.Json.Nodes.JsonObject { ["result"] = schema },
                    ["required"] = new System.Text.Json.Nodes.JsonArray("result"),
                };
            }
            else
            {
                schema["type"] = "object";
            }

            output = JsonSerializer.SerializeToElement(schema);
        }

        if (registration.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxToolTimeout))
        {
            throw new InvalidOperationException(
                $"MCP tool '{registration.Name}' of {requestType.FullName} has a timeout of {timeout}: give a positive one of at most {MaxToolTimeout.TotalHours} hours, "
                + $"or none for the server's {McpLimitsOptions.SectionName}:{nameof(McpLimitsOptions.DispatchTimeout)} (longer work runs as a task).");
        }

        var hints = registration.Hints ?? new ToolHints();
        var tool = new Tool
        {
            Name = registration.Name,
            Title = registration.Title,
            Description = registration.Description ?? XmlDocumentation.Summary(requestType),
            InputSchema = JsonSerializer.SerializeToElement(input),
            OutputSchema = output,
            Annotations = new ToolAnnotations
            {
                Title = registration.Title,
                ReadOnlyHint = hints.ReadOnly ?? isQuery,
                DestructiveHint = (hints.ReadOnly ?? isQuery) ? null : hints.Destructive ?? false,
                IdempotentHint = (hints.ReadOnly ?? isQuery) ? null : hints.Idempotent ?? false,
                OpenWorldHint = hints.OpenWorld ?? false,
            },
            Icons = ResourceBinding.IconList(registration.Icons),
            Meta = registration.Meta,
        };
        McpDecorations.Check($"MCP tool '{registration.Name}' of {requestType.FullName}", tool.Icons, tool.Meta);
        var headers = (input["properties"] as System.Text.Json.Nodes.JsonObject ?? [])
            .Where(p => p.Value?["x-mcp-header"] is System.Text.Json.Nodes.JsonValue)
            .ToDictionary(p => p.Key, p => p.Value!["x-mcp-header"]!.GetValue<string>(), StringComparer.Ordinal);
        return new ToolBinding(requestType, resultType, tool, registration.Invoker) { WrapsResult = wraps, HeaderParameters = headers, Output = registration.Output, TaskSupport = registration.Task, Timeout = registration.Timeout, IsPublic = registration.Public };
    }

    /// <summary>A selector tool's filter and orderBy arguments say which fields and operators they take.</summary>
    private static void DescribeSelector(ToolRegistration registration, System.Text.Json.Nodes.JsonObject input, IFieldMap selector)
    {
        if (!typeof(ISelectorQuery).IsAssignableFrom(registration.RequestType)
            || input["properties"] is not System.Text.Json.Nodes.JsonObject properties
            || properties["filter"] is not System.Text.Json.Nodes.JsonObject filter
            || properties["orderBy"] is not System.Text.Json.Nodes.JsonObject orderBy)
        {
            throw new InvalidOperationException(
                $"MCP selector tool '{registration.Name}': {registration.RequestType.FullName} must implement ISelectorQuery (filter, orderBy, page, pageSize).");
        }

        filter["description"] = selector.Describe();
        var sortable = string.Join(", ", selector.Fields.Where(f => f.CanOrderBy).Select(f => f.Name));
        orderBy["description"] = $"Comma-separated fields, each optionally followed by asc or desc (e.g. \"priority desc, createdAt\"). Sortable: {sortable}."
            + (selector.DefaultOrder is { } order ? $" Default: {order}." : string.Empty);
    }

    /// <summary>The result type of an <c>ICommand&lt;T&gt;</c> or <c>IQuery&lt;T&gt;</c>, and whether it is a query.</summary>
    internal static (Type Result, bool IsQuery)? RequestShape(Type requestType)
    {
        foreach (var contract in requestType.GetInterfaces().Where(i => i.IsGenericType))
        {
            var definition = contract.GetGenericTypeDefinition();
            if (definition == typeof(ICommand<>))
            {
                return (contract.GetGenericArguments()[0], false);
            }

            if (definition == typeof(IQuery<>))
            {
                return (contract.GetGenericArguments()[0], true);
            }
        }

        return null;
    }

    /// <summary>The longest timeout a tool may set itself (the bound of <see cref="McpLimitsOptions.DispatchTimeout"/> too).</summary>
    private static readonly TimeSpan MaxToolTimeout = TimeSpan.FromDays(1);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ToolName();
}
