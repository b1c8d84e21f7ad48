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

    private static string Expected => string.Join(", ", Behaviors.Select(NameOf)) + ", then ResourceChangeBehavior";

    private static string NameOf(Type behavior) => behavior.Name[..behavior.Name.IndexOf('`', StringComparison.Ordinal)];

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
        if (ProblemWith(registered) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>What is wrong with the engine's behaviors among <paramref name="registered"/> (in pipeline order), or null.</summary>
    internal static string? ProblemWith(IReadOnlyList<Type> registered)
    {
        var missing = Behaviors.Where(b => !registered.Contains(b)).Select(NameOf).ToList();
        if (missing.Count > 0)
        {
            return $"The mediator's pipeline lacks the MCP engine's behaviors {string.Join(", ", missing)}: list them in options.PipelineBehaviors of AddMediator "
                + $"in this order (the first is the outermost): {Expected}.";
        }

        // Authorization before validation, or a caller without the permission learns what the arguments should be.
        var order = registered.Where(Behaviors.Contains).ToList();
        return order.SequenceEqual(Behaviors)
            ? null
            : $"The MCP engine's behaviors are in the order {string.Join(", ", order.Select(NameOf))}; options.PipelineBehaviors of AddMediator must list them as {Expected} (the first is the outermost).";
    }
}
