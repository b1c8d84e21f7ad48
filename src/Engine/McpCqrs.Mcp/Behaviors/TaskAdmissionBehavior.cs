using Mediator;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Tasks;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Innermost gate of the pipeline (after validation, before the handler and its resource notifications): while a
/// <c>tools/call</c> admits a task, the tool's request stops here — everything that guards it has run at the time
/// the task is created, as the client expects — and the handler runs later in the task worker, where the request
/// passes the gates without being checked twice (<see cref="AdmittedTask.Skips"/>).
/// </summary>
public sealed class TaskAdmissionBehavior<TMessage, TResponse>(McpRequestContext context, IServiceProvider services)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        context.Admission is { Admitted: false } admission ? AdmitAsync(admission, message, cancellationToken) : next(message, cancellationToken);

    private async ValueTask<TResponse> AdmitAsync(TaskAdmission admission, TMessage message, CancellationToken cancellationToken)
    {
        var (type, request) = RequestBindings.Carried(message);
        if (services.GetService(typeof(McpTaskAdmission<>).MakeGenericType(type)) is IMcpTaskAdmission ask)
        {
            await ask.AdmitAsync(request, cancellationToken);
        }

        admission.Admitted = true;
        return default!;
    }
}
