using System.Collections.Concurrent;

namespace McpCqrs.Querying;

/// <summary>
/// What is made from a key once and kept while there is room: a cache bounded by a count, for inputs a caller may vary
/// without end (filter texts) and for what a program normally makes a few of (field maps' keys).
/// </summary>
internal static class Remembered
{
    /// <summary>
    /// The value of <paramref name="key"/> in <paramref name="cache"/>, else made by <paramref name="make"/> and kept
    /// while the cache holds fewer than <paramref name="max"/> values (once full, what is not in it is made each time).
    /// </summary>
    public static TValue Get<TKey, TValue, TState>(ConcurrentDictionary<TKey, TValue> cache, TKey key, int max, TState state, Func<TKey, TState, TValue> make)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out var known))
        {
            return known;
        }

        var made = make(key, state);
        if (cache.Count < max)
        {
            cache.TryAdd(key, made);
        }

        return made;
    }
}
