using McpCqrs.Mcp.Context;
using StackExchange.Redis;

namespace McpCqrs.Mcp.Redis;

/// <summary>
/// The used <c>requestState</c> nonces in Redis, shared by every instance: <c>{prefix}:request-state:{nonce}</c> is set
/// with <c>SET NX</c> and expires with its state, so a state used on one instance is refused on all, and Redis forgets
/// it once it could no longer be used anyway. Redis failures surface as
/// <see cref="McpCqrs.Mcp.Sessions.SessionStoreUnavailableException"/> (nothing is marked used).
/// </summary>
internal sealed class RedisRequestStateNonces(IConnectionMultiplexer redis, TimeProvider clock, string keyPrefix = "mcpcqrs") : IRequestStateNonces
{
    /// <summary>The shortest expiry given to a key (a state at the very end of its lifetime still gets one).</summary>
    private static readonly TimeSpan MinimumExpiry = TimeSpan.FromSeconds(1);

    public async ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var remaining = expiresAt - clock.GetUtcNow();
        var expiry = remaining > MinimumExpiry ? remaining : MinimumExpiry;
        return await RedisGuard.Run(() => redis.GetDatabase().StringSetAsync(Key(nonce), 1, expiry, When.NotExists));
    }

    public async ValueTask ReleaseAsync(string nonce, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await RedisGuard.Run(() => redis.GetDatabase().KeyDeleteAsync(Key(nonce)));
    }

    /// <summary>The key that marks <paramref name="nonce"/> used.</summary>
    public string Key(string nonce) => $"{keyPrefix}:request-state:{nonce}";
}
