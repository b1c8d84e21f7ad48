using McpCqrs.Mcp;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Starter.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Adds this assembly to the MCP engine: its [McpTool] requests join the catalog and its FluentValidation validators
    /// are registered. The mediator itself is registered by the web host, where its source generator runs.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        McpBuilder.For(services).AddAssembly(typeof(DependencyInjection).Assembly);
        return services;
    }
}
