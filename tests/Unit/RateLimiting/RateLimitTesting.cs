using McpCqrs.Mcp.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>An in-memory rate-limit service on a fake clock.</summary>
internal sealed class RateLimitTesting : IDisposable
{
    public RateLimitTesting(Action<RateLimitingOptions> configure)
    {
        var options = new RateLimitingOptions();
        configure(options);
        Service = new InMemoryRateLimitService(Options.Create(options), Clock);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    public InMemoryRateLimitService Service { get; }

    public ValueTask<RateLimitDecision> Call(string binding, string partition = "user:alice") =>
        Service.TryAcquireAsync(binding, partition, CancellationToken.None);

    /// <summary>Calls <paramref name="times"/> times and returns how many were allowed.</summary>
    public async Task<int> Allowed(string binding, int times, string partition = "user:alice")
    {
        var allowed = 0;
        for (var i = 0; i < times; i++)
        {
            allowed += (await Call(binding, partition)).Allowed ? 1 : 0;
        }

        return allowed;
    }

    /// <summary>The permits (or tokens) a policy has left for a partition.</summary>
    public long Available(string policy, string partition = "user:alice") =>
        Service.LimiterOf(policy)!.GetStatistics(partition)!.CurrentAvailablePermits;

    public void Dispose() => Service.Dispose();
}
