namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// The one token source of a call that a host admits: the host cancels it from outside (the client's
/// <c>notifications/cancelled</c>, its session's end, a closed connection, the host stopping) through
/// <see cref="CancelFromOutside"/>, and the dispatch timeout is armed on the same source
/// (<see cref="Methods.BoundRequests"/>), so a call needs no second source linked to the first to time its handler
/// out. Cancelled but not from outside means timed out.
/// </summary>
internal sealed class CallCancellation : CancellationTokenSource
{
    /// <summary>A registration callback (its state is the source) that cancels it from outside.</summary>
    public static readonly Action<object?> Outside = static state => ((CallCancellation)state!).CancelFromOutside();

    private volatile bool _fromOutside;

    /// <summary>True when the source was cancelled by its timeout, not from outside.</summary>
    public bool TimedOut => IsCancellationRequested && !_fromOutside;

    /// <summary>Cancels the call for a reason outside it (never reported as a timeout).</summary>
    public void CancelFromOutside()
    {
        _fromOutside = true;
        Cancel();
    }
}
