using McpCqrs.Mcp;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>The in-memory store of used <c>requestState</c> nonces: once each, forgotten with their state, bounded.</summary>
public sealed class RequestStateNoncesTests
{
    private const int Max = 1_000;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 7, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryRequestStateNonces _store;

    public RequestStateNoncesTests() =>
        _store = new InMemoryRequestStateNonces(Options.Create(new McpLimitsOptions { MaxUsedRequestStates = Max }), _clock);

    private DateTimeOffset In(TimeSpan span) => _clock.GetUtcNow() + span;

    [Fact]
    public async Task A_nonce_is_accepted_once()
    {
        Assert.True(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));
        Assert.False(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));
        Assert.True(await _store.TryUseAsync("n-2", In(TimeSpan.FromMinutes(10)), default));
    }

    [Fact]
    public async Task A_released_nonce_is_accepted_once_more_and_then_stays_used()
    {
        Assert.True(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));

        await _store.ReleaseAsync("n-1", default);

        Assert.True(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));
        Assert.False(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task A_used_nonce_stays_used_until_its_expiry_and_is_forgotten_after_it()
    {
        Assert.True(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.False(await _store.TryUseAsync("n-1", In(TimeSpan.FromMinutes(10)), default));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await _store.TryUseAsync("other", In(TimeSpan.FromMinutes(10)), default));
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task Expired_nonces_are_dropped_so_a_steady_flow_does_not_grow_the_store()
    {
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True(await _store.TryUseAsync($"r{round}-{i}", In(TimeSpan.FromMinutes(1)), default));
            }

            _clock.Advance(TimeSpan.FromSeconds(30));
        }

        // 2000 uses in all, but only those of the last minute are kept.
        Assert.InRange(_store.Count, 100, 200);
    }

    [Fact]
    public async Task A_full_store_refuses_as_a_rate_limit_without_forgetting_a_live_nonce_and_accepts_again_when_the_oldest_expire()
    {
        Assert.True(await _store.TryUseAsync("first", In(TimeSpan.FromMinutes(1)), default));
        for (var i = 1; i < Max; i++)
        {
            Assert.True(await _store.TryUseAsync($"n-{i}", In(TimeSpan.FromMinutes(10)), default));
        }

        var full = await Assert.ThrowsAsync<McpLimitExceededException>(async () => await _store.TryUseAsync("one-more", In(TimeSpan.FromMinutes(10)), default));

        Assert.True(full.IsRate);
        Assert.Equal("Mcp:Limits:MaxUsedRequestStates", full.Limit);
        Assert.Equal(Max, full.Max);
        Assert.False(await _store.TryUseAsync("first", In(TimeSpan.FromMinutes(1)), default));
        Assert.False(await _store.TryUseAsync($"n-{Max - 1}", In(TimeSpan.FromMinutes(10)), default));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await _store.TryUseAsync("one-more", In(TimeSpan.FromMinutes(10)), default));
        Assert.Equal(Max, _store.Count);
    }

    [Fact]
    public async Task Concurrent_uses_of_one_nonce_accept_exactly_one()
    {
        using var start = new ManualResetEventSlim();
        var uses = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await _store.TryUseAsync("shared", In(TimeSpan.FromMinutes(10)), default);
        })).ToList();

        start.Set();
        var results = await Task.WhenAll(uses);

        Assert.Single(results, accepted => accepted);
    }
}
