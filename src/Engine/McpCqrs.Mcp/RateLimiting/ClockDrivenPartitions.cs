using System.Threading.RateLimiting;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// One caller's limiter for one policy: a <c>System.Threading.RateLimiting</c> limiter does the counting, and
/// this class decides, from a <see cref="TimeProvider"/>, when time has passed.
/// </summary>
/// <remarks>
/// The BCL limiters read <c>Stopwatch</c> and cannot be given a clock: with <c>AutoReplenishment = false</c>,
/// <c>TryReplenish()</c> still does nothing until that much real time has gone by (and the token bucket refills by
/// real elapsed time). So each subclass moves its limiter on by the <see cref="TimeProvider"/>'s time instead:
/// the fixed window starts a fresh limiter when its window ends; the sliding window gives its limiter a one-tick
/// window, so that each <c>TryReplenish()</c> slides exactly one segment, and calls it once per segment that the
/// clock has passed; the token bucket starts a fresh (full) bucket and takes out what was not yet refilled.
/// Every member is called under a lock on the instance.
/// </remarks>
internal abstract class ClockDrivenPartition(TimeSpan now) : IDisposable
{
    /// <summary>When the partition was last used, on the owner's clock (ticks since its origin).</summary>
    public long LastUsedTicks { get; set; } = now.Ticks;

    /// <summary>Set when the owner dropped the partition: a caller that still holds it must look it up again.</summary>
    public bool Evicted { get; set; }

    /// <summary>The BCL limiter that counts, as of the last <see cref="Advance"/>.</summary>
    protected abstract RateLimiter Limiter { get; }

    /// <summary>Takes <paramref name="permits"/>; a refusal carries its exact retry-after.</summary>
    public RateLimitLease Acquire(TimeSpan now, int permits)
    {
        Advance(now);
        var lease = Limiter.AttemptAcquire(permits);
        if (lease.IsAcquired)
        {
            OnAcquired();
            return lease;
        }

        lease.Dispose();
        return new RetryAfterLease(RetryAfter(now, permits));
    }

    /// <summary>Whether the limit has fully recovered, so that dropping the partition loses nothing.</summary>
    public abstract bool IsReplenished(TimeSpan now);

    public RateLimiterStatistics? GetStatistics(TimeSpan now)
    {
        Advance(now);
        return Limiter.GetStatistics();
    }

    public void Dispose() => Limiter.Dispose();

    /// <summary>Moves the limiter on to <paramref name="now"/> on the owner's clock.</summary>
    protected abstract void Advance(TimeSpan now);

    /// <summary>How long a refused caller of <paramref name="permits"/> waits, just after <see cref="Advance"/>.</summary>
    protected abstract TimeSpan RetryAfter(TimeSpan now, int permits);

    /// <summary>Called after permits were granted.</summary>
    protected virtual void OnAcquired()
    {
    }

    public static ClockDrivenPartition Create(RateLimitPolicy policy, TimeSpan now) => policy.Algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => new FixedWindowPartition(policy.PermitLimit, policy.Window, now),

        // One segment slides the whole window at once: that is a fixed window.
        RateLimitAlgorithm.SlidingWindow when policy.SegmentsPerWindow == 1 => new FixedWindowPartition(policy.PermitLimit, policy.Window, now),
        RateLimitAlgorithm.SlidingWindow => new SlidingWindowPartition(policy.PermitLimit, policy.Window, policy.SegmentsPerWindow, now),
        RateLimitAlgorithm.TokenBucket => new TokenBucketPartition(policy.PermitLimit, policy.TokensPerPeriod, policy.ReplenishmentPeriod, now),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Algorithm, $"Rate limit policy '{policy.Name}' has no algorithm."),
    };

    /// <summary>How many whole <paramref name="period"/>s lie between <paramref name="start"/> and <paramref name="now"/>.</summary>
    protected static long PeriodsBetween(TimeSpan start, TimeSpan now, TimeSpan period) =>
        now <= start ? 0 : (now - start).Ticks / period.Ticks;
}

/// <summary>
/// <see cref="FixedWindowRateLimiter"/>: <c>PermitLimit</c> per window; windows follow one another from the
/// partition's first call. Refused: retry when the current window ends.
/// </summary>
internal sealed class FixedWindowPartition : ClockDrivenPartition
{
    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private FixedWindowRateLimiter _limiter;
    private TimeSpan _windowStart;
    private bool _used;

    public FixedWindowPartition(int permitLimit, TimeSpan window, TimeSpan now)
        : base(now)
    {
        _permitLimit = permitLimit;
        _window = window;
        _windowStart = now;
        _limiter = NewLimiter();
    }

    protected override RateLimiter Limiter => _limiter;

    public override bool IsReplenished(TimeSpan now)
    {
        Advance(now);
        return !_used;
    }

    protected override void OnAcquired() => _used = true;

    protected override TimeSpan RetryAfter(TimeSpan now, int permits) => _windowStart + _window - now;

    protected override void Advance(TimeSpan now)
    {
        var windows = PeriodsBetween(_windowStart, now, _window);
        if (windows == 0)
        {
            return;
        }

        _windowStart += TimeSpan.FromTicks(windows * _window.Ticks);
        if (_used)
        {
            _limiter.Dispose();
            _limiter = NewLimiter();
            _used = false;
        }
    }

    private FixedWindowRateLimiter NewLimiter() => new(new FixedWindowRateLimiterOptions
    {
        PermitLimit = _permitLimit,
        Window = _window,
        QueueLimit = 0,
        AutoReplenishment = false,
    });
}

/// <summary>
/// <see cref="SlidingWindowRateLimiter"/>: <c>PermitLimit</c> in any window of <c>SegmentsPerWindow</c>
/// segments; a permit comes back when its segment leaves the window. Refused: retry when the next segment
/// begins (the earliest moment a permit can come back).
/// </summary>
internal sealed class SlidingWindowPartition : ClockDrivenPartition
{
    private readonly int _permitLimit;
    private readonly int _segments;
    private readonly TimeSpan _segment;
    private readonly SlidingWindowRateLimiter _limiter;
    private TimeSpan _segmentStart;

    public SlidingWindowPartition(int permitLimit, TimeSpan window, int segments, TimeSpan now)
        : base(now)
    {
        _permitLimit = permitLimit;
        _segments = segments;
        _segment = TimeSpan.FromTicks(window.Ticks / segments);
        _segmentStart = now;

        // A window of one tick cut into at least two segments gives the limiter a replenishment period of zero
        // ticks: its stopwatch never holds back a TryReplenish(), and the clock above decides when to slide.
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = TimeSpan.FromTicks(1),
            SegmentsPerWindow = segments,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    protected override RateLimiter Limiter => _limiter;

    public override bool IsReplenished(TimeSpan now)
    {
        Advance(now);
        return _limiter.GetStatistics()?.CurrentAvailablePermits >= _permitLimit;
    }

    protected override TimeSpan RetryAfter(TimeSpan now, int permits) => _segmentStart + _segment - now;

    protected override void Advance(TimeSpan now)
    {
        var passed = PeriodsBetween(_segmentStart, now, _segment);
        if (passed == 0)
        {
            return;
        }

        // After a whole window's worth of slides every segment is empty: more would change nothing.
        for (var i = 0L; i < Math.Min(passed, _segments); i++)
        {
            _limiter.TryReplenish();
        }

        _segmentStart += TimeSpan.FromTicks(passed * _segment.Ticks);
    }
}

/// <summary>
/// <see cref="TokenBucketRateLimiter"/>: a bucket of <c>PermitLimit</c> tokens, refilled by
/// <c>TokensPerPeriod</c> at the end of each period since the partition's first call. Refused: retry at the
/// refill that brings enough tokens.
/// </summary>
internal sealed class TokenBucketPartition : ClockDrivenPartition
{
    private readonly int _tokenLimit;
    private readonly int _tokensPerPeriod;
    private readonly TimeSpan _period;
    private TokenBucketRateLimiter _limiter;
    private TimeSpan _lastRefill;

    public TokenBucketPartition(int tokenLimit, int tokensPerPeriod, TimeSpan period, TimeSpan now)
        : base(now)
    {
        _tokenLimit = tokenLimit;
        _tokensPerPeriod = tokensPerPeriod;
        _period = period;
        _lastRefill = now;
        _limiter = NewBucket(tokenLimit);
    }

    protected override RateLimiter Limiter => _limiter;

    public override bool IsReplenished(TimeSpan now)
    {
        Advance(now);
        return Available() >= _tokenLimit;
    }

    protected override TimeSpan RetryAfter(TimeSpan now, int permits)
    {
        var missing = permits - Available();
        var refills = (missing + _tokensPerPeriod - 1) / _tokensPerPeriod;
        return _lastRefill + TimeSpan.FromTicks(refills * _period.Ticks) - now;
    }

    private long Available() => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    protected override void Advance(TimeSpan now)
    {
        var periods = PeriodsBetween(_lastRefill, now, _period);
        if (periods == 0)
        {
            return;
        }

        _lastRefill += TimeSpan.FromTicks(periods * _period.Ticks);
        var available = Available();
        if (available >= _tokenLimit)
        {
            return;
        }

        var refilled = periods >= _tokenLimit ? _tokenLimit : Math.Min(_tokenLimit, available + (periods * _tokensPerPeriod));
        _limiter.Dispose();
        _limiter = NewBucket((int)refilled);
    }

    /// <summary>A bucket holding <paramref name="tokens"/>: a new bucket is full, so the rest is taken out.</summary>
    private TokenBucketRateLimiter NewBucket(int tokens)
    {
        var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _tokenLimit,
            TokensPerPeriod = _tokensPerPeriod,
            ReplenishmentPeriod = _period,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        if (tokens < _tokenLimit)
        {
            using var spent = bucket.AttemptAcquire(_tokenLimit - tokens);
        }

        return bucket;
    }
}
