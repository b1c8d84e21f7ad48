using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.InMemory;
using McpCqrs.Mcp.Eras;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>
/// <see cref="RequestStateProtector"/>: a sealed <c>requestState</c> is accepted once, on any instance that shares the
/// key and the nonce store; a state refused for its seal or bindings uses nothing up.
/// </summary>
public sealed class RequestStateProtectorTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 7, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly InMemoryRequestStateNonces _nonces;
    private readonly string _digest = RequestStateProtector.Digest("tools/call", new JsonObject { ["name"] = "close_ticket", ["arguments"] = new JsonObject { ["ticketId"] = 1 } });

    public RequestStateProtectorTests() =>
        _nonces = new InMemoryRequestStateNonces(Options.Create(new McpLimitsOptions()), _clock);

    private RequestStateProtector Protector(IRequestStateNonces? nonces = null) => new(
        new McpProtocolOptions { RequestStateKey = _key, RequestStateLifetime = Lifetime },
        nonces ?? _nonces,
        _clock,
        NullLogger<RequestStateProtector>.Instance);

    private ValueTask<RequestStateCheck> UseAsync(RequestStateProtector protector, string token, string? principal = "alice", string? digest = null) =>
        protector.UseAsync(token, principal, "tools/call", digest ?? _digest, default);

    [Fact]
    public async Task A_state_is_accepted_once_then_refused_as_already_used()
    {
        var protector = Protector();
        var token = protector.Protect("step-1", "alice", "tools/call", _digest);

        var first = await UseAsync(protector, token);
        var replay = await UseAsync(protector, token);

        Assert.Equal(RequestStateVerdict.Accepted, first.Verdict);
        Assert.Equal("step-1", first.State);
        Assert.Null(first.Refusal);
        Assert.Equal(RequestStateVerdict.AlreadyUsed, replay.Verdict);
        Assert.Null(replay.State);
        Assert.Contains("already used", replay.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_used_on_one_instance_is_refused_on_another_that_shares_the_key_and_the_store()
    {
        var a = Protector();
        var b = Protector();
        var token = a.Protect(null, "alice", "tools/call", _digest);

        Assert.Equal(RequestStateVerdict.Accepted, (await UseAsync(b, token)).Verdict);
        Assert.Equal(RequestStateVerdict.AlreadyUsed, (await UseAsync(a, token)).Verdict);
    }

    [Fact]
    public async Task Each_round_has_its_own_nonce_so_the_same_request_asked_twice_gets_two_usable_states()
    {
        var protector = Protector();
        var round1 = protector.Protect("same", "alice", "tools/call", _digest);
        var round2 = protector.Protect("same", "alice", "tools/call", _digest);

        Assert.NotEqual(round1, round2);
        Assert.Equal(RequestStateVerdict.Accepted, (await UseAsync(protector, round1)).Verdict);
        Assert.Equal(RequestStateVerdict.Accepted, (await UseAsync(protector, round2)).Verdict);
    }

    [Fact]
    public async Task A_state_refused_for_its_seal_or_bindings_does_not_use_up_the_genuine_one()
    {
        var protector = Protector();
        var token = protector.Protect("kept", "alice", "tools/call", _digest);
        var otherDigest = RequestStateProtector.Digest("tools/call", new JsonObject { ["name"] = "close_ticket", ["arguments"] = new JsonObject { ["ticketId"] = 2 } });

        var refusals = new[]
        {
            await UseAsync(protector, token, principal: "mallory"),
            await UseAsync(protector, token, principal: null),
            await UseAsync(protector, token, digest: otherDigest),
            await protector.UseAsync(token, "alice", "prompts/get", _digest, default),
            await UseAsync(protector, token + "-TAMPERED"),
            await UseAsync(protector, "not-a-state"),
        };

        Assert.All(refusals, r => Assert.Equal(RequestStateVerdict.Invalid, r.Verdict));
        Assert.All(refusals, r => Assert.Contains("altered, has expired, or belongs to another", r.Refusal, StringComparison.Ordinal));
        Assert.Equal(0, _nonces.Count);
        var genuine = await UseAsync(protector, token);
        Assert.Equal(RequestStateVerdict.Accepted, genuine.Verdict);
        Assert.Equal("kept", genuine.State);
    }

    [Fact]
    public async Task An_expired_state_is_invalid_and_uses_nothing()
    {
        var protector = Protector();
        var token = protector.Protect(null, "alice", "tools/call", _digest);

        _clock.Advance(Lifetime + TimeSpan.FromSeconds(2));

        Assert.Equal(RequestStateVerdict.Invalid, (await UseAsync(protector, token)).Verdict);
        Assert.Equal(0, _nonces.Count);
    }

    [Fact]
    public async Task A_used_nonce_is_remembered_for_the_whole_life_of_its_state()
    {
        var recorded = new RecordingNonces();
        var protector = Protector(recorded);
        var token = protector.Protect(null, "alice", "tools/call", _digest);

        await UseAsync(protector, token);

        var (nonce, expiresAt) = Assert.Single(recorded.Uses);
        Assert.Equal(32, nonce.Length);
        Assert.True(expiresAt >= _clock.GetUtcNow() + Lifetime, $"remembered until {expiresAt:O}, the state lives until {_clock.GetUtcNow() + Lifetime:O}");
        Assert.True(expiresAt <= _clock.GetUtcNow() + Lifetime + RequestStateProtector.ClockSkewMargin + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_nonce_store_that_cannot_answer_fails_the_check_instead_of_accepting_the_state()
    {
        var protector = Protector(new UnavailableNonces());
        var token = protector.Protect(null, "alice", "tools/call", _digest);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await UseAsync(protector, token));
    }

    private sealed class RecordingNonces : IRequestStateNonces
    {
        public List<(string Nonce, DateTimeOffset ExpiresAt)> Uses { get; } = [];

        public ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            Uses.Add((nonce, expiresAt));
            return ValueTask.FromResult(true);
        }

        public ValueTask ReleaseAsync(string nonce, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class UnavailableNonces : IRequestStateNonces
    {
        public ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            throw new SessionStoreUnavailableException(new TimeoutException("Redis did not answer."));

        public ValueTask ReleaseAsync(string nonce, CancellationToken cancellationToken) =>
            throw new SessionStoreUnavailableException(new TimeoutException("Redis did not answer."));
    }
}
