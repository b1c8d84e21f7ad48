using Mediator;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Announces the resources a <see cref="IChangesResources"/> command changed, once it succeeded. The write is
/// committed by then: its announcement is best-effort (see <see cref="Announcements"/>), never the reason the command
/// fails, and not the caller's to cancel.
/// </summary>
public sealed class ResourceChangeBehavior<TMessage, TResponse>(IResourceNotifier notifier) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage, IChangesResources
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        foreach (var uri in message.ResourcesChangedBy(response))
        {
            await notifier.ResourceUpdatedAsync(uri, CancellationToken.None);
        }

        return response;
    }
}
