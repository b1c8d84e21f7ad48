namespace McpCqrs.Mcp.Context;

/// <summary>
/// The <c>requestState</c> nonces already used (stateless era): each state is accepted once within its lifetime,
/// on whichever instance the retry reaches. In process memory on one instance; in Redis when <c>Mcp:Redis</c> is set.
/// </summary>
public interface IRequestStateNonces
{
    /// <summary>
    /// Marks <paramref name="nonce"/> used until <paramref name="expiresAt"/>; false when it was used already. A store
    /// that cannot answer throws <see cref="Sessions.SessionStoreUnavailableException"/> (the request is answered 503
    /// and the nonce stays unused); a full in-memory store throws <see cref="McpLimitExceededException"/>.
    /// </summary>
    ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets that <paramref name="nonce"/> was used: only for a request refused before its handler ran, so that the
    /// retry the client was told to send is accepted. Throws as <see cref="TryUseAsync"/> when the store cannot answer.
    /// </summary>
    ValueTask ReleaseAsync(string nonce, CancellationToken cancellationToken);
}
