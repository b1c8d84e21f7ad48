using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.Context;

namespace McpCqrs.Mcp.Tasks;

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

/// <summary>Whether a request runs inside a task that was admitted when it was created.</summary>
public static class AdmittedTask
{
    /// <summary>
    /// True for the task's own request inside a running task: authorization, rate limits and validation ran when
    /// the task was created (with the caller's credentials, which the worker does not have), so they are not run
    /// again. Any other request the handler sends is checked as usual, as the task's owner.
    /// </summary>
    public static bool Skips(IMcpRequestContext? context, object message) =>
        context is McpRequestContext { Task: not null, AdmittedRequest: { } admitted } && ReferenceEquals(RequestBindings.Carried(message).Request, admitted);
}
