using McpCqrs.Mcp.Apps;
using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.External;
using Mediator;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// The mediator's source generator runs in the application's project and sees only the assemblies and behaviors its
/// <c>AddMediator</c> options name. Forgetting the engine there builds, then fails on the first task or app view, or
/// runs calls without their permission checks: this check stops the start instead, saying what to add.
/// </summary>
internal static class MediatorCheck
{
    /// <summary>The behaviors every tool call passes (resource-change notifications wrap only requests that change resources).</summary>
    private static readonly Type[] Behaviors =
    [
        typeof(TracingBehavior<,>), typeof(AuthorizationBehavior<,>), typeof(RateLimitBehavior<,>),
        typeof(ValidationBehavior<,>), typeof(TaskAdmissionBehavior<,>),
    ];

    public static void EnsureEngineRegistered(IServiceProvider services)
    {
        var known = services.GetService<IServiceProviderIsService>();
        if (known is null || !known.IsService(typeof(IMediator)))
        {
            throw new InvalidOperationException(
                "No mediator is registered. Add the Mediator.SourceGenerator package to the host project and call services.AddMediator(...) "
                + "with options.Assemblies = [typeof(McpCqrs.Mcp.McpBuilder).Assembly, <your application's assembly>] and the engine's behaviors in options.PipelineBehaviors.");
        }

        if (!known.IsService(typeof(IQueryHandler<McpAppDocument, TextResourceContents>)))
        {
            throw new InvalidOperationException(
                "The mediator does not know the MCP engine's handlers: add typeof(McpCqrs.Mcp.McpBuilder).Assembly to options.Assemblies in AddMediator.");
        }

        using var scope = services.CreateScope();
        var registered = scope.ServiceProvider.GetServices<IPipelineBehavior<ExternalRequest, object?>>()
            .Select(b => b.GetType().IsGenericType ? b.GetType().GetGenericTypeDefinition() : b.GetType())
            .ToList();
        var missing = Behaviors.Where(b => !registered.Contains(b)).Select(b => b.Name[..b.Name.IndexOf('`', StringComparison.Ordinal)]).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The mediator's pipeline lacks the MCP engine's behaviors {string.Join(", ", missing)}: list them in options.PipelineBehaviors of AddMediator "
                + "(tracing, authorization, rate limit, validation, task admission, resource change; the first is the outermost).");
        }
    }
}
