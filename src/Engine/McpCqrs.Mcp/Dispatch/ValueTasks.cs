namespace McpCqrs.Mcp.Dispatch;

/// <summary>Helpers for the dispatch path's pending results.</summary>
internal static class ValueTasks
{
    /// <summary>
    /// A handler's result as an object: at once when it has completed (no state machine for the call), else when it
    /// does; its failure is the returned task's.
    /// </summary>
    public static ValueTask<object?> AsObject<TResult>(this ValueTask<TResult> pending)
    {
        return pending.IsCompletedSuccessfully ? new ValueTask<object?>(pending.Result) : AwaitedAsync(pending);

        static async ValueTask<object?> AwaitedAsync(ValueTask<TResult> pending) => await pending;
    }
}
