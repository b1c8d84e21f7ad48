using System.Reflection;

namespace McpCqrs.Tests.Unit.Architecture;

/// <summary>The dependency rule of the layers, checked on the compiled assemblies.</summary>
public sealed class LayeringTests
{
    private static readonly Assembly Domain = typeof(McpCqrs.Domain.Tickets.Ticket).Assembly;
    private static readonly Assembly Application = typeof(McpCqrs.Application.DependencyInjection).Assembly;

    private static string[] References(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    [Fact]
    public void Domain_references_nothing_but_the_runtime()
    {
        Assert.All(References(Domain), name => Assert.True(
            name.StartsWith("System", StringComparison.Ordinal) || name is "netstandard" or "mscorlib",
            $"McpCqrs.Domain references {name}"));
    }

    [Fact]
    public void Application_references_no_web_persistence_or_outer_layer()
    {
        Assert.All(References(Application), name => Assert.False(
            name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || name.StartsWith("McpCqrs.Infrastructure", StringComparison.Ordinal)
            || name.StartsWith("McpCqrs.Mcp.Web", StringComparison.Ordinal),
            $"McpCqrs.Application references {name}"));
    }
}
