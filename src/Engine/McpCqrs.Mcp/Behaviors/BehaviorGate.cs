using Mediator;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// The shape of a behavior that checks something and then hands the request on: when the check completes at once
/// (the usual case: an in-memory rate limit, a scope check, synchronous validators) the next step is called directly,
/// so the behavior adds no state machine of its own to the call and no continuation when the handler completes
/// later (a database query); only a check that is still running is awaited.
/// </summary>
internal static class BehaviorGate
{
    /// <summary><paramref name="next"/> once <paramref name="check"/> has passed; its failure is the returned task's.</summary>
    public static ValueTask<TResponse> Then<TMessage, TResponse>(
        ValueTask check,
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
        where TMessage : notnull, IMessage
    {
        if (!check.IsCompletedSuccessfully)
        {
            return AfterAsync(check, message, next, cancellationToken);
        }

        check.GetAwaiter().GetResult();
        return next(message, cancellationToken);
    }

    private static async ValueTask<TResponse> AfterAsync<TMessage, TResponse>(
        ValueTask check,
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
        where TMessage : notnull, IMessage
    {
        await check;
        return await next(message, cancellationToken);
    }
}
