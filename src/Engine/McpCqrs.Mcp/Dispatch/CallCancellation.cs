namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// The one token source of a call that a host admits: the host cancels it from outside (the client's
/// <c>notifications/cancelled</c>, its session's end, a closed connection, the host stopping) through
/// <see cref="CancelFromOutside"/>, and the dispatch timeout is armed on the same source
/// (<see cref="Methods.BoundRequests"/>), so a call needs no second source linked to the first to time its handler
/// out. Cancelled but not from outside means timed out. One timeout is armed at a time: a request sent inside the
/// handler (through the mediator, in the same scope, with the same token) links a source of its own, so the outer
/// timeout stays armed.
/// </summary>
internal sealed class CallCancellation : CancellationTokenSource
{
    /// <summary>A registration callback (its state is the source) that cancels it from outside.</summary>
    public static readonly Action<object?> Outside = static state => ((CallCancellation)state!).CancelFromOutside();

    private volatile bool _fromOutside;
    private int _armed;

    /// <summary>True when the source was cancelled by its timeout, not from outside.</summary>
    public bool TimedOut => IsCancellationRequested && !_fromOutside;

    /// <summary>Arms the dispatch timeout on this source; false when one is armed already (the caller links its own).</summary>
    public bool TryArm(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _armed, 1) == 1)
        {
            return false;
        }

        CancelAfter(timeout);
        return true;
    }

    /// <summary>Stops the timeout <see cref="TryArm"/> armed (no effect once it fired).</summary>
    public void Disarm()
    {
        CancelAfter(Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _armed, 0);
    }

    /// <summary>Cancels the call for a reason outside it (never reported as a timeout).</summary>
    public void CancelFromOutside()
    {
        _fromOutside = true;
        Cancel();
    }
}
