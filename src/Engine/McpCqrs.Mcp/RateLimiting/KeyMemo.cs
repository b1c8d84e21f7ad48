using System.Collections.Concurrent;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// Keys already built, by what they were built from: a caller's partition key is the same string call after call,
/// so it is built (and its address parsed) once rather than on every call. Bounded: once it holds
/// <c>capacity</c> keys it starts over, so a host with more distinct callers than that builds some keys again — what
/// it did on every call without the memo — and never holds more.
/// </summary>
internal sealed class KeyMemo(Func<string, string> build, int capacity = 4096)
{
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>How many keys are held.</summary>
    public int Count => _keys.Count;

    public string Of(string source)
    {
        if (_keys.TryGetValue(source, out var key))
        {
            return key;
        }

        key = build(source);
        if (Interlocked.Increment(ref _count) > capacity)
        {
            _keys.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _keys[source] = key;
        return key;
    }
}
