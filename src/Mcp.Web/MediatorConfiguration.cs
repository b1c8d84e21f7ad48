using Mediator;
using McpCqrs.Mcp.Behaviors;

namespace McpCqrs.Web;

internal static class MediatorConfiguration
{
    /// <summary>
    /// The mediator and its pipeline. <b>This is the one place where the order of the behaviors is set</b>:
    /// index 0 is the outermost. SPEC §2: tracing → authorization → rate limit → validation → handler;
    /// then the task gate (a call that becomes a task stops there and its handler runs in the task worker);
    /// innermost, after the handler succeeded, resource-change notifications.
    /// The source generator reads these options at compile time, so they must stay literals. The engine's assembly
    /// is listed with the application's: its own requests (tasks, app views, requests carried for external handlers)
    /// have handlers there. Transient: handlers and behaviors hold no state of their own, and a call resolves each once,
    /// so keeping them in the request's scope would only cost a cache entry apiece (their scoped dependencies, the
    /// DbContext among them, are still the scope's). So <c>ISender</c> is resolved from a scope, never captured by a
    /// singleton (whose handlers would then come from the root container).
    /// </summary>
    public static IServiceCollection AddMcpCqrsMediator(this IServiceCollection services) =>
        services.AddMediator((MediatorOptions options) =>
        {
            options.Namespace = "McpCqrs.Web.Mediator";
            options.ServiceLifetime = ServiceLifetime.Transient;
            options.Assemblies = [typeof(McpCqrs.Mcp.McpBuilder).Assembly, typeof(McpCqrs.Application.DependencyInjection).Assembly];
            options.PipelineBehaviors =
            [
                typeof(TracingBehavior<,>),
                typeof(AuthorizationBehavior<,>),
                typeof(RateLimitBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(TaskAdmissionBehavior<,>),
                typeof(ResourceChangeBehavior<,>),
            ];
        });
}
