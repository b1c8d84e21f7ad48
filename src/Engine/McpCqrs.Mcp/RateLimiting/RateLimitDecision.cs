namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// The answer of <see cref="IRateLimitService.TryAcquireAsync"/>: allowed, or refused by <see cref="Policy"/>
/// until <see cref="RetryAfter"/> has passed.
/// </summary>
/// <param name="Allowed">Whether the call may go ahead.</param>
/// <param name="Policy">The policy that refused the call (the first in the binding's order that did); null when allowed.</param>
/// <param name="RetryAfter">How long until a retry can succeed; null when allowed.</param>
public sealed record RateLimitDecision(bool Allowed, string? Policy, TimeSpan? RetryAfter)
{
    /// <summary>The one "allowed" answer (no allocation per call).</summary>
    public static RateLimitDecision Allow { get; } = new(true, null, null);

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up and at least 1 (for <c>Retry-After</c> and <c>data.retryAfter</c>); null when allowed.</summary>
    public int? RetryAfterSeconds => RetryAfter is { } retryAfter ? ToWholeSeconds(retryAfter) : null;

    /// <summary>A refusal by <paramref name="policy"/>; a negative <paramref name="retryAfter"/> counts as zero.</summary>
    public static RateLimitDecision Deny(string policy, TimeSpan retryAfter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policy);
        return new RateLimitDecision(false, policy, retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter);
    }

    /// <summary>Throws <see cref="RateLimitExceededException"/> for <paramref name="binding"/> when the call was refused.</summary>
    public void ThrowIfDenied(string binding)
    {
        if (!Allowed)
        {
            throw new RateLimitExceededException(binding, Policy ?? string.Empty, RetryAfter ?? TimeSpan.Zero);
        }
    }

    /// <summary>A wait as the wire wants it: whole seconds, rounded up, at least 1.</summary>
    public static int ToWholeSeconds(TimeSpan retryAfter)
    {
        if (retryAfter <= TimeSpan.Zero)
        {
            return 1;
        }

        var seconds = (retryAfter.Ticks / TimeSpan.TicksPerSecond) + (retryAfter.Ticks % TimeSpan.TicksPerSecond == 0 ? 0 : 1);
        return (int)Math.Clamp(seconds, 1, int.MaxValue);
    }
}
