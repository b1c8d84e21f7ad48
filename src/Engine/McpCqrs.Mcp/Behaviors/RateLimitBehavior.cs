using Mediator;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.RateLimiting;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Applies the rate-limit policies of the request's binding, per caller (principal, else client address), after
/// authentication and before validation — so a request refused by validation has still been counted once, and
/// only once. A refusal is a <see cref="RateLimitExceededException"/>; each transport maps it (MCP: a JSON-RPC
/// error with <c>data.retryAfter</c>; REST: 429 with <c>Retry-After</c>). A binding without policies costs a lookup.
/// </summary>
public sealed class RateLimitBehavior<TMessage, TResponse>(IRateLimitService limits, IRateLimitPartitioner partitioner, ICurrentUser user, IMcpRequestContext? context = null)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        // A task was counted when it was created.
        AdmittedTask.Skips(context, message)
            ? next(message, cancellationToken)
            : BehaviorGate.Then(
                limits.EnforceForAsync(RequestBindings.NameOf(RequestBindings.Carried(message).Type), partitioner, user, cancellationToken),
                message,
                next,
                cancellationToken);
}
