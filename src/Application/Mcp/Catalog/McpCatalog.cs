using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using McpCqrs.Application.Mcp.Schema;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Catalog;

/// <summary>
/// A tool as registered (by attribute or fluently), before its schemas are generated. An explicit
/// <see cref="InputSchema"/> replaces the generated one (for schemas C# types cannot say, e.g. conditionals);
/// arguments are still bound to <see cref="RequestType"/>.
/// </summary>
public sealed record ToolRegistration(
    Type RequestType,
    string Name,
    string? Title = null,
    string? Description = null,
    ToolHints? Hints = null,
    IReadOnlyList<Icon>? Icons = null,
    ToolInvoker? Invoker = null,
    JsonElement? InputSchema = null);

/// <summary>
/// What this server exposes over MCP. Built once at start-up from the registrations (a duplicate or malformed
/// name fails the start with a message naming the binding); tools can be added or removed at run time, which
/// raises <see cref="Changed"/> (the transport turns it into <c>notifications/tools/list_changed</c>).
/// </summary>
public sealed partial class McpCatalog
{
    private ImmutableList<ToolBinding> _tools = [];
    private ImmutableDictionary<string, ToolBinding> _byName = ImmutableDictionary<string, ToolBinding>.Empty.WithComparers(StringComparer.Ordinal);
    private readonly Func<Type, IEnumerable<IValidator>> _validators;
    private readonly Lock _gate = new();

    public McpCatalog(IEnumerable<ToolRegistration> registrations, Func<Type, IEnumerable<IValidator>> validators)
    {
        _validators = validators;
        foreach (var registration in registrations)
        {
            AddCore(registration);
        }
    }

    /// <summary>Raised after a tool was added or removed at run time.</summary>
    public event EventHandler? Changed;

    /// <summary>The tools in registration order (a stable order keeps cursors meaningful).</summary>
    public IReadOnlyList<ToolBinding> Tools => _tools;

    public bool TryGetTool(string name, out ToolBinding binding) => _byName.TryGetValue(name, out binding!);

    /// <summary>Adds a tool while the server runs.</summary>
    public ToolBinding AddTool(ToolRegistration registration)
    {
        var binding = AddCore(registration);
        Changed?.Invoke(this, EventArgs.Empty);
        return binding;
    }

    /// <summary>Removes a tool while the server runs; false when there was none of that name.</summary>
    public bool RemoveTool(string name)
    {
        lock (_gate)
        {
            if (!_byName.TryGetValue(name, out var binding))
            {
                return false;
            }

            _tools = _tools.Remove(binding);
            _byName = _byName.Remove(name);
        }

        Changed?.Invoke(this, EventArgs.Empty);
        return true;
    }

    private ToolBinding AddCore(ToolRegistration registration)
    {
        var binding = Bind(registration);
        lock (_gate)
        {
            if (_byName.TryGetValue(binding.Name, out var existing))
            {
                throw new InvalidOperationException(
                    $"MCP tool name '{binding.Name}' is used twice: by {existing.RequestType.FullName} and by {binding.RequestType.FullName}. " +
                    "Give one of them another name in its [McpTool] attribute or registration.");
            }

            _tools = _tools.Add(binding);
            _byName = _byName.Add(binding.Name, binding);
        }

        return binding;
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

        var input = registration.InputSchema is { } explicitSchema
            ? System.Text.Json.Nodes.JsonObject.Create(explicitSchema) ?? throw new InvalidOperationException($"The input schema of MCP tool '{registration.Name}' must be a JSON object.")
            : RequestSchemaGenerator.Input(requestType, _validators(requestType));
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
            Icons = registration.Icons is { Count: > 0 } icons ? [.. icons] : null,
        };
        return new ToolBinding(requestType, resultType, tool, registration.Invoker) { WrapsResult = wraps };
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

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ToolName();
}
