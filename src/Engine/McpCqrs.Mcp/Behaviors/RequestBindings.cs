using System.Collections.Concurrent;
using System.Reflection;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.External;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// The name a request is limited under: its MCP binding's name (tool, selector, prompt, resource) when it is
/// marked as one, else its type name. REST and MCP calls of one request therefore share one limit.
/// </summary>
public static class RequestBindings
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    public static string NameOf(Type requestType) => Names.GetOrAdd(requestType, static type =>
        type.GetCustomAttribute<McpToolAttribute>()?.Name
        ?? type.GetCustomAttribute<McpSelectorAttribute>()?.Name
        ?? type.GetCustomAttribute<McpPromptAttribute>()?.Name
        ?? type.GetCustomAttribute<McpResourceAttribute>()?.Name
        ?? type.Name);

    /// <summary>
    /// The request a message stands for: the one an <see cref="ExternalRequest"/> or <see cref="ExternalQuery"/>
    /// carries, else the message itself; with its type, under which its binding is looked up.
    /// </summary>
    public static (Type Type, object Request) Carried(object message) => message switch
    {
        ExternalRequest external => (external.Request.GetType(), external.Request),
        ExternalQuery external => (external.Request.GetType(), external.Request),
        _ => (message.GetType(), message),
    };

    /// <summary>The <c>[RateLimit]</c> policies of every request in <paramref name="assembly"/>, by binding name.</summary>
    public static IEnumerable<(string Binding, IReadOnlyList<string> Policies)> DeclaredIn(Assembly assembly) =>
        assembly.GetTypes()
            .Select(t => (Type: t, Limit: t.GetCustomAttribute<RateLimitAttribute>()))
            .Where(x => x.Limit is not null)
            .Select(x => (NameOf(x.Type), x.Limit!.Policies));
}
