using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class InMemorySessionStoreTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly InMemorySessionStore _store;

    public InMemorySessionStoreTests() =>
        _store = new InMemorySessionStore(
            Options.Create(new McpSessionOptions { IdleTimeout = TimeSpan.FromMinutes(10), MaxAge = TimeSpan.FromHours(1) }),
            _clock);

    private async Task<McpSession> Create(string id)
    {
        var now = _clock.GetUtcNow();
        var session = new McpSession(id, "2025-11-25", null, null, null, now, now);
        await _store.CreateAsync(session, CancellationToken.None);
        return session;
    }

    [Fact]
    public async Task A_new_session_can_be_read_back()
    {
        await Create("s1");

        var session = await _store.GetAsync("s1", CancellationToken.None);

        Assert.Equal("2025-11-25", session?.ProtocolVersion);
        Assert.Null(await _store.GetAsync("s2", CancellationToken.None));
    }

    [Fact]
    public async Task A_second_session_with_the_same_id_is_refused()
    {
        await Create("s1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Create("s1"));
    }

    [Fact]
    public async Task A_session_idle_for_longer_than_the_idle_timeout_is_gone()
    {
        await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        Assert.Null(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task A_session_idle_for_less_than_the_idle_timeout_lives()
    {
        await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(9));

        Assert.NotNull(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Using_a_session_keeps_it_alive()
    {
        await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(9));
        var touched = await _store.GetAsync("s1", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(_clock.GetUtcNow() - TimeSpan.FromMinutes(9), touched?.LastSeenAt);
        Assert.NotNull(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task A_busy_session_is_touched_at_most_once_a_second()
    {
        var created = await Create("s1");

        _clock.Advance(TimeSpan.FromMilliseconds(400));
        var soon = await _store.GetAsync("s1", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(700));
        var later = await _store.GetAsync("s1", CancellationToken.None);

        Assert.Same(created, soon);
        Assert.Equal(_clock.GetUtcNow(), later?.LastSeenAt);
    }

    [Fact]
    public async Task A_session_older_than_the_maximum_age_is_gone_however_busy()
    {
        await Create("s1");
        for (var i = 0; i < 6; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(9));
            Assert.NotNull(await _store.GetAsync("s1", CancellationToken.None));
        }

        _clock.Advance(TimeSpan.FromMinutes(9));

        Assert.Null(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Updating_a_live_session_stores_its_state()
    {
        var session = await Create("s1");

        Assert.True(await _store.UpdateAsync(session with { LogLevel = LoggingLevel.Debug, Initialized = true }, CancellationToken.None));

        var stored = await _store.GetAsync("s1", CancellationToken.None);
        Assert.Equal(LoggingLevel.Debug, stored?.LogLevel);
        Assert.True(stored?.Initialized);
    }

    [Fact]
    public async Task Updating_keeps_a_session_alive()
    {
        var session = await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.True(await _store.UpdateAsync(session with { Initialized = true }, CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(9));

        Assert.NotNull(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Updating_an_expired_session_fails()
    {
        var session = await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.False(await _store.UpdateAsync(session with { Initialized = true }, CancellationToken.None));
        Assert.Null(await _store.GetAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Updating_an_unknown_session_fails()
    {
        var now = _clock.GetUtcNow();

        Assert.False(await _store.UpdateAsync(new McpSession("nope", "2025-11-25", null, null, null, now, now), CancellationToken.None));
        Assert.Null(await _store.GetAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_live_session_ends_it()
    {
        await Create("s1");

        Assert.True(await _store.DeleteAsync("s1", CancellationToken.None));

        Assert.Null(await _store.GetAsync("s1", CancellationToken.None));
        Assert.False(await _store.DeleteAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_an_expired_session_fails()
    {
        await Create("s1");

        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.False(await _store.DeleteAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Count_includes_only_live_sessions()
    {
        await Create("old");
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Create("new");
        Assert.Equal(2, await _store.CountAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(1, await _store.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Checking_that_a_session_exists_does_not_keep_it_alive()
    {
        await Create("quiet");

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await _store.ExistsAsync("quiet", CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.False(await _store.ExistsAsync("quiet", CancellationToken.None));
        Assert.Null(await _store.GetAsync("quiet", CancellationToken.None));
    }
}
