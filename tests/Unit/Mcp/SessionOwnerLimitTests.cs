using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Open sessions per owner, counted by the in-memory store.</summary>
public sealed class SessionOwnerLimitTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly InMemorySessionStore _store;

    public SessionOwnerLimitTests() =>
        _store = new InMemorySessionStore(
            Options.Create(new McpSessionOptions { IdleTimeout = TimeSpan.FromMinutes(10), MaxAge = TimeSpan.FromHours(1) }),
            _clock);

    private Task<bool> Create(string id, string owner, int max = 2)
    {
        var now = _clock.GetUtcNow();
        return _store.TryCreateAsync(new McpSession(id, "2025-11-25", null, null, owner, now, now), owner, max, CancellationToken.None);
    }

    [Fact]
    public async Task An_owner_at_its_limit_is_refused_and_another_owner_is_not()
    {
        Assert.True(await Create("a1", "user:alice"));
        Assert.True(await Create("a2", "user:alice"));

        Assert.False(await Create("a3", "user:alice"));
        Assert.Null(await _store.GetAsync("a3", CancellationToken.None));
        Assert.True(await Create("b1", "user:bob"));
    }

    [Fact]
    public async Task A_deleted_session_stops_counting()
    {
        await Create("a1", "user:alice");
        await Create("a2", "user:alice");

        await _store.DeleteAsync("a1", CancellationToken.None);

        Assert.True(await Create("a3", "user:alice"));
    }

    [Fact]
    public async Task An_expired_session_stops_counting_and_an_owner_without_sessions_is_forgotten()
    {
        await Create("a1", "user:alice");
        await Create("a2", "user:alice");
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.True(await Create("a3", "user:alice", max: 1));
        Assert.Equal(1, await _store.CountAsync(CancellationToken.None));
    }
}
