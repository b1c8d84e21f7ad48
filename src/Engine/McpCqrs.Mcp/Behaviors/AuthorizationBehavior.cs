using McpCqrs.Mcp.Security;
using Mediator;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Tasks;


namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Checks the binding's permissions (<see cref="PermissionEvaluator"/>) before rate limits and validation, for MCP
/// and REST alike; a refusal is a <see cref="ForbiddenAccessException"/>. MCP method envelopes pass through: the
/// tool's (or prompt's, or resource's) own request, sent through the pipeline below them, is what is checked.
/// </summary>
public sealed class AuthorizationBehavior<TMessage, TResponse>(PermissionEvaluator permissions, ICurrentUser user, IServiceProvider services, IMcpRequestContext? context = null)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        // A task was authorized when it was created, with the caller's credentials.
        if (AdmittedTask.Skips(context, message))
        {
            return next(message, cancellationToken);
        }

        var (type, request) = RequestBindings.Carried(message);
        return BehaviorGate.Then(permissions.DemandAsync(type, request, user, services, cancellationToken), message, next, cancellationToken);
    }
}
