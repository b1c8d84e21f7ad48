using McpCqrs.Application.Common.RateLimiting;
using McpCqrs.Application.Mcp.Context;
using Mediator;

namespace McpCqrs.Application.Mcp.Tasks;

/// <summary>
/// The admission of one task-bound <c>tools/call</c>: the tool's request has passed authorization, rate limit and
/// validation (and its <see cref="McpTaskAdmission{TRequest}"/>, if any) when <see cref="Admitted"/> is true.
/// </summary>
public sealed class TaskAdmission
{
    public bool Admitted { get; internal set; }
}

/// <summary>
/// Questions a long-running command asks <em>before</em> its task exists (the client answers them in input rounds
/// of the creating <c>tools/call</c>, then gets the task). Register one per request type; it asks through
/// <see cref="IClientInput"/> as the handler would, and the handler asking the same keys later reads those answers.
/// </summary>
public abstract class McpTaskAdmission<TRequest> : IMcpTaskAdmission
{
    public abstract ValueTask AdmitAsync(TRequest request, CancellationToken cancellationToken);

    ValueTask IMcpTaskAdmission.AdmitAsync(object request, CancellationToken cancellationToken) => AdmitAsync((TRequest)request, cancellationToken);
}

/// <summary>The untyped face of <see cref="McpTaskAdmission{TRequest}"/>.</summary>
public interface IMcpTaskAdmission
{
    ValueTask AdmitAsync(object request, CancellationToken cancellationToken);
}

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
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (context.Admission is not { Admitted: false } admission)
        {
            return await next(message, cancellationToken);
        }

        var (type, request) = RequestBindings.Carried(message);
        if (services.GetService(typeof(McpTaskAdmission<>).MakeGenericType(type)) is IMcpTaskAdmission ask)
        {
            await ask.AdmitAsync(request, cancellationToken);
        }

        admission.Admitted = true;
        return default!;
    }
}

/// <summary>Whether a request runs inside a task that was admitted when it was created.</summary>
public static class AdmittedTask
{
    /// <summary>
    /// True for the task's own request inside a running task: authorization, rate limits and validation ran when
    /// the task was created (with the caller's credentials, which the worker does not have), so they are not run
    /// again. Any other request the handler sends is checked as usual, as the task's owner.
    /// </summary>
    public static bool Skips(IMcpRequestContext context, object message) =>
        context is McpRequestContext { Task: not null, AdmittedRequest: { } admitted } && ReferenceEquals(RequestBindings.Carried(message).Request, admitted);
}
