using System.Globalization;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// A named rate limit, bound from <c>RateLimiting:Policies:{name}</c> or built in code with
/// <see cref="FixedWindow"/>, <see cref="SlidingWindow"/> or <see cref="TokenBucket"/>. Which properties matter
/// depends on <see cref="Algorithm"/>; <see cref="Validate"/> says what is missing or out of range.
/// </summary>
public sealed class RateLimitPolicy
{
    /// <summary>The most segments a sliding window may have.</summary>
    public const int MaxSegmentsPerWindow = 1000;

    /// <summary>The policy's name, as bindings refer to it (case-insensitive). Set from the configuration key.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Required: <c>FixedWindow</c>, <c>SlidingWindow</c> or <c>TokenBucket</c>.</summary>
    public RateLimitAlgorithm? Algorithm { get; set; }

    /// <summary>Calls allowed per window (fixed and sliding window), or the bucket's size (token bucket). At least 1.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window of the fixed and sliding window algorithms, e.g. <c>"00:01:00"</c>.</summary>
    public TimeSpan Window { get; set; }

    /// <summary>Sliding window only: the number of segments the window moves by (1 to 1000; 1 is a fixed window).</summary>
    public int SegmentsPerWindow { get; set; }

    /// <summary>Token bucket only: tokens put back every <see cref="ReplenishmentPeriod"/> (at least 1).</summary>
    public int TokensPerPeriod { get; set; }

    /// <summary>Token bucket only: how often <see cref="TokensPerPeriod"/> tokens are put back, e.g. <c>"00:00:01"</c>.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; }

    /// <summary>
    /// Must be 0: a call over the limit is refused at once with a retry-after, never held in a queue (an MCP
    /// client or a REST caller retries; a request that waits holds its connection and its scope).
    /// </summary>
    public int QueueLimit { get; set; }

    /// <summary>At most <paramref name="permitLimit"/> calls per <paramref name="window"/>.</summary>
    public static RateLimitPolicy FixedWindow(string name, int permitLimit, TimeSpan window) => new()
    {
        Name = name,
        Algorithm = RateLimitAlgorithm.FixedWindow,
        PermitLimit = permitLimit,
        Window = window,
    };

    /// <summary>At most <paramref name="permitLimit"/> calls in any <paramref name="window"/>, sliding by segments.</summary>
    public static RateLimitPolicy SlidingWindow(string name, int permitLimit, TimeSpan window, int segmentsPerWindow) => new()
    {
        Name = name,
        Algorithm = RateLimitAlgorithm.SlidingWindow,
        PermitLimit = permitLimit,
        Window = window,
        SegmentsPerWindow = segmentsPerWindow,
    };

    /// <summary>A bucket of <paramref name="tokenLimit"/> tokens refilled by <paramref name="tokensPerPeriod"/> every <paramref name="replenishmentPeriod"/>.</summary>
    public static RateLimitPolicy TokenBucket(string name, int tokenLimit, int tokensPerPeriod, TimeSpan replenishmentPeriod) => new()
    {
        Name = name,
        Algorithm = RateLimitAlgorithm.TokenBucket,
        PermitLimit = tokenLimit,
        TokensPerPeriod = tokensPerPeriod,
        ReplenishmentPeriod = replenishmentPeriod,
    };

    /// <summary>
    /// What is wrong with this policy, one sentence per problem, each naming the configuration path
    /// (<c>RateLimiting:Policies:{name}:{property}</c>) and the bad value. Empty when the policy is usable.
    /// </summary>
    public IReadOnlyList<string> Validate() => ValidateAs(Name);

    /// <summary>Validates the policy as the one named <paramref name="name"/> (its key in <see cref="RateLimitingOptions.Policies"/>).</summary>
    internal List<string> ValidateAs(string name)
    {
        var errors = new List<string>();
        var path = $"{RateLimitingOptions.SectionName}:Policies:{(string.IsNullOrWhiteSpace(name) ? "(unnamed)" : name)}";
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{path}: a policy needs a name (bindings refer to policies by name).");
        }

        if (Algorithm is null)
        {
            errors.Add($"{path}:Algorithm is missing: set it to FixedWindow, SlidingWindow or TokenBucket.");
            return errors;
        }

        if (!Enum.IsDefined(Algorithm.Value))
        {
            errors.Add($"{path}:Algorithm '{Algorithm}' is not one of FixedWindow, SlidingWindow, TokenBucket.");
            return errors;
        }

        if (PermitLimit < 1)
        {
            errors.Add($"{path}:PermitLimit must be at least 1 (was {Format(PermitLimit)}).");
        }

        if (QueueLimit != 0)
        {
            errors.Add($"{path}:QueueLimit must be 0 (was {Format(QueueLimit)}): calls over the limit are refused at once with a retry-after, never queued.");
        }

        switch (Algorithm.Value)
        {
            case RateLimitAlgorithm.FixedWindow:
                RequirePositive(errors, path, nameof(Window), Window);
                break;
            case RateLimitAlgorithm.SlidingWindow:
                RequirePositive(errors, path, nameof(Window), Window);
                if (SegmentsPerWindow < 1)
                {
                    errors.Add($"{path}:SegmentsPerWindow must be at least 1 for a sliding window (was {Format(SegmentsPerWindow)}).");
                }
                else if (SegmentsPerWindow > MaxSegmentsPerWindow)
                {
                    errors.Add($"{path}:SegmentsPerWindow must be at most {Format(MaxSegmentsPerWindow)} (was {Format(SegmentsPerWindow)}): every caller keeps a count per segment.");
                }
                else if (Window > TimeSpan.Zero && Window.Ticks / SegmentsPerWindow < TimeSpan.TicksPerMillisecond)
                {
                    errors.Add($"{path}:SegmentsPerWindow {Format(SegmentsPerWindow)} cuts the window of {Window} into segments shorter than a millisecond: use fewer segments.");
                }

                break;
            case RateLimitAlgorithm.TokenBucket:
                if (TokensPerPeriod < 1)
                {
                    errors.Add($"{path}:TokensPerPeriod must be at least 1 for a token bucket (was {Format(TokensPerPeriod)}).");
                }

                RequirePositive(errors, path, nameof(ReplenishmentPeriod), ReplenishmentPeriod);
                break;
        }

        return errors;
    }

    /// <summary>The shortest time after which a call refused by this policy can succeed, when nothing else is known.</summary>
    public TimeSpan MinimumRetryAfter() => Algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => Window,
        RateLimitAlgorithm.SlidingWindow => TimeSpan.FromTicks(Window.Ticks / Math.Max(SegmentsPerWindow, 1)),
        RateLimitAlgorithm.TokenBucket => ReplenishmentPeriod,
        _ => TimeSpan.Zero,
    };

    public override string ToString() => Algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => $"{Name}: {PermitLimit} per {Window} (fixed window)",
        RateLimitAlgorithm.SlidingWindow => $"{Name}: {PermitLimit} per {Window} (sliding window, {SegmentsPerWindow} segments)",
        RateLimitAlgorithm.TokenBucket => $"{Name}: bucket of {PermitLimit}, {TokensPerPeriod} per {ReplenishmentPeriod} (token bucket)",
        _ => Name,
    };

    private static void RequirePositive(List<string> errors, string path, string property, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{property} must be a positive time span such as \"00:01:00\" (was {value.ToString("c", CultureInfo.InvariantCulture)}).");
        }
    }

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
