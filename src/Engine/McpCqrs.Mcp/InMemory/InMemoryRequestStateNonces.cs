using McpCqrs.Mcp.Context;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.InMemory;

/// <summary>
/// The used <c>requestState</c> nonces of a single instance, in process memory: each is kept until its state expires
/// (a queue ordered by expiry drops the expired ones on every use), and at most
/// <see cref="McpLimitsOptions.MaxUsedRequestStates"/> are kept; when that many are still live, a use is refused with
/// <see cref="McpLimitExceededException"/> rather than forgetting a live nonce (which would let its state be replayed).
/// Written by hand: <c>MemoryCache</c> has no atomic add-if-absent and evicts live entries under pressure.
/// </summary>
public sealed class InMemoryRequestStateNonces(IOptions<McpLimitsOptions> limits, TimeProvider clock) : IRequestStateNonces
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byExpiry = new();

    /// <summary>How many nonces are remembered now (expired ones included until the next use drops them).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _used.Count;
            }
        }
    }

    public ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var max = limits.Value.MaxUsedRequestStates;
        lock (_gate)
        {
            while (_byExpiry.TryPeek(out var oldest, out var at) && at <= now)
            {
                _byExpiry.Dequeue();
                _used.Remove(oldest);
            }

            if (_used.Contains(nonce))
            {
                return ValueTask.FromResult(false);
            }

            if (_used.Count >= max)
            {
                throw McpLimitExceededException.Of(
                    nameof(McpLimitsOptions.MaxUsedRequestStates),
                    max,
                    $"This server remembers {max} used request states and all are still live; retry shortly.",
                    isRate: true);
            }

            _used.Add(nonce);
            _byExpiry.Enqueue(nonce, expiresAt);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask ReleaseAsync(string nonce, CancellationToken cancellationToken)
    {
        // Its entry in the expiry queue stays and is dropped when it comes due (removing a missing nonce is harmless).
        lock (_gate)
        {
            _used.Remove(nonce);
        }

        return ValueTask.CompletedTask;
    }
}
