namespace McpCqrs.Mcp.Streams;

/// <summary>
/// One server-sent event of a session. <see cref="Id"/> is <c>{stream}_{sequence}</c>: the stream it belongs to
/// (<c>g</c> for the session's GET stream, <c>r…</c> for one POST's response stream) and its place in it, so a
/// <c>Last-Event-ID</c> alone says what to resume.
/// </summary>
public sealed record SseEvent(string Id, string Data)
{
    /// <summary>The stream of the session's standalone GET stream.</summary>
    public const string GetStream = "g";

    public static bool TryParseId(string? id, out string stream, out long sequence)
    {
        if (!TrySplit(id, out var cut, out sequence))
        {
            stream = string.Empty;
            return false;
        }

        stream = id![..cut];
        return true;
    }

    /// <summary>The place of the stream's name and the sequence in <paramref name="id"/>, read without copying either.</summary>
    private static bool TrySplit(string? id, out int cut, out long sequence)
    {
        sequence = 0;
        cut = id?.LastIndexOf('_') ?? -1;
        return cut > 0 && long.TryParse(id.AsSpan(cut + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }

    public long Sequence => TrySplit(Id, out _, out var sequence) ? sequence : 0;
}

/// <summary>
/// Keeps each session's recent events (bounded in count and age) so a client that reconnects with
/// <c>Last-Event-ID</c> receives exactly what it missed.
/// </summary>
public interface ISseReplayBuffer
{
    /// <summary>Stores <paramref name="data"/> as the next event of the stream and returns it with its id.</summary>
    ValueTask<SseEvent> AppendAsync(string sessionId, string stream, string data, CancellationToken cancellationToken);

    /// <summary>
    /// The stored events of <paramref name="stream"/> after sequence <paramref name="afterSequence"/>, in order;
    /// null when events after it were already evicted (the gap cannot be filled).
    /// </summary>
    ValueTask<IReadOnlyList<SseEvent>?> ReadAfterAsync(string sessionId, string stream, long afterSequence, CancellationToken cancellationToken);

    /// <summary>Marks a stream finished (a POST's final response was stored): a resumed stream closes after it.</summary>
    ValueTask CompleteAsync(string sessionId, string stream, CancellationToken cancellationToken);

    ValueTask<bool> IsCompleteAsync(string sessionId, string stream, CancellationToken cancellationToken);

    /// <summary>Whether the session ever had <paramref name="stream"/> (an event of it was stored and has not yet expired).</summary>
    ValueTask<bool> HasStreamAsync(string sessionId, string stream, CancellationToken cancellationToken);

    ValueTask RemoveSessionAsync(string sessionId, CancellationToken cancellationToken);
}

/// <summary>Live delivery of events to whichever connection currently holds a session's stream.</summary>
public interface ISseBroker
{
    ValueTask PublishAsync(string sessionId, string stream, SseEvent? sseEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Receives the stream's events from now on; a null event means the stream is complete. Dispose to stop.
    /// </summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(string sessionId, string stream, Func<SseEvent?, ValueTask> onEvent, CancellationToken cancellationToken);
}
