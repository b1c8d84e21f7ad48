using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Dispatch;
using ModelContextProtocol;
using InputRequiredException = McpCqrs.Mcp.Context.InputRequiredException;

namespace McpCqrs.Mcp.Eras;

/// <summary>
/// What differs between the eras, in one place per era: how a request is admitted (the checks and their order),
/// what runs before its handler, how a result, a request for input, an error and a cancellation are answered.
/// <see cref="McpDispatcher"/> runs every request of both eras through the same steps and asks the policy at each.
/// </summary>
public abstract class McpEraPolicy
{
    public abstract McpEra Era { get; }

    /// <summary>
    /// Before the handler: what the era checks first. It refuses by throwing what the handlers would (a protocol
    /// error, a limit, a store out of reach); nothing has run then.
    /// </summary>
    public virtual ValueTask BeforeAsync(McpCall call, object message, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <summary>The handler's result as this era answers it.</summary>
    public abstract ValueTask<McpReply> ResultAsync(McpCall call, object? result, McpRequestContext context, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>A handler that needs the client's input: the result that asks for it, or null when this era asks otherwise.</summary>
    public virtual object? InputRequired(McpCall call, InputRequiredException required, IServiceProvider services) => null;

    /// <summary>A protocol error as this era carries it.</summary>
    public abstract (McpStatus Status, int Code, object? Data) ProtocolError(McpCall call, McpProtocolException error);

    /// <summary>The request was cancelled: its answer, or <see cref="McpReply.None"/> when nothing is sent.</summary>
    public abstract McpReply Cancelled(McpCall call);

    /// <summary>A limit refused the request before its handler ran: undo what admitting it used.</summary>
    public virtual ValueTask RefusedAsync(McpCall call, IServiceProvider services) => ValueTask.CompletedTask;
}
