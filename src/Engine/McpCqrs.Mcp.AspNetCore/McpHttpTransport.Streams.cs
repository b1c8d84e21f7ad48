using System.IO.Pipelines;
using System.Threading.Channels;
using McpCqrs.Mcp.Streams;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>The SSE streams of a session: the GET stream and the resumption of a POST's response stream.</summary>
internal sealed partial class McpHttpTransport
{
    /// <summary>The beat of a session's stream (<see cref="KeepAliveBeats"/>): read from its queue, it writes a keep-alive comment.</summary>
    private static readonly SseEvent KeepAliveTick = new(string.Empty, string.Empty);

    /// <summary>
    /// Serves one SSE stream: the session's GET stream, or the resumption of a POST's response stream. Events
    /// missed since <paramref name="after"/> are replayed first, then live ones follow, each exactly once.
    /// </summary>
    private async Task StreamAsync(HttpContext http, string sessionId, string stream, long? after)
    {
        // Bounded only in name: nothing is refused. Its queue starts empty and grows with what waits, where the unbounded
        // channel starts with a segment of 32 slots: an idle stream, the common one, holds about 400 bytes less.
        var channel = Channel.CreateBounded<SseEvent?>(new BoundedChannelOptions(int.MaxValue) { SingleReader = true });
        await using var subscription = await broker.SubscribeAsync(sessionId, stream, e => { channel.Writer.TryWrite(e); return ValueTask.CompletedTask; }, http.RequestAborted);
        var isGetStream = stream == SseEvent.GetStream;
        var maxStreams = LimitsOf(http).MaxStreamsPerSession;
        var connection = isGetStream
            ? openStreams.Open(sessionId, http.RequestAborted, lifetime.ApplicationStopping, maxStreams)
            : openStreams.TryOpenResumed(sessionId, maxStreams) ? CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping) : null;
        if (connection is null)
        {
            await RefuseStreamAsync(http, maxStreams);
            return;
        }

        connection.CancelAfter(LimitsOf(http).MaxStreamDuration);

        try
        {
            SseFormat.StartResponse(http.Response);
            // Writes and flushes stop only for the client leaving: Kestrel aborts a connection whose flush another token
            // cancels, and a stream this server ends (its time up, taken over, the host stopping) says goodbye instead.
            var body = await SendRetryAsync(http, http.RequestAborted);

            // A fresh GET stream first gets what was notified while no stream was open.
            after ??= isGetStream ? openStreams.Delivered(sessionId) : null;
            // Only what this connection writes counts as delivered: not the Last-Event-ID the client brought.
            var start = after ?? 0;
            var last = start;
            if (after is { } from)
            {
                var missed = await replay.ReadAfterAsync(sessionId, stream, from, connection.Token);
                if (missed is null)
                {
                    LogReplayGap(logger, sessionId, stream, from);
                }

                last = WriteAfter(body, missed ?? [], last);
                await SendAsync(body, sessionId, isGetStream, start, last, last > start ? 1 : 0, http.RequestAborted);
                if (!isGetStream && await replay.IsCompleteAsync(sessionId, stream, connection.Token))
                {
                    return;
                }
            }

            using var beat = beats.Join(channel.Writer, KeepAliveTick);
            while (await channel.Reader.WaitToReadAsync(connection.Token))
            {
                // What is queued is written, then sent with one flush (a stream with a backlog costs one send, not one
                // each), up to FlushAfterBytes or FlushAfterEvents; and before any wait on the session store or the
                // replay buffer, so nothing written waits on a round trip, and nothing sent goes unrecorded if the wait
                // ends the stream. A stream this server ends stops taking events at once (its next wait says goodbye).
                var open = true;
                var unsent = 0;
                while (open && !connection.IsCancellationRequested && channel.Reader.TryRead(out var sseEvent))
                {
                    if (sseEvent is null)
                    {
                        open = false;
                    }
                    else if (ReferenceEquals(sseEvent, KeepAliveTick))
                    {
                        // Once an interval: the session's idle clock moves while its stream is open, and the
                        // connection hears something.
                        beat.Heard();
                        await SendAsync(body, sessionId, isGetStream, start, last, unsent, http.RequestAborted);
                        unsent = 0;
                        if (!await TouchSessionAsync(sessionId, connection.Token))
                        {
                            // The session expired or was ended elsewhere: nothing more will come on its streams.
                            if (isGetStream)
                            {
                                openStreams.Close(sessionId);
                            }

                            return;
                        }

                        SseFormat.KeepAlive(body);
                        unsent++;
                    }
                    else if (sseEvent.Sequence == last + 1)
                    {
                        SseFormat.Event(body, sseEvent);
                        last++;
                        if (++unsent >= FlushAfterEvents || (body.CanGetUnflushedBytes && body.UnflushedBytes >= FlushAfterBytes))
                        {
                            await SendAsync(body, sessionId, isGetStream, start, last, unsent, http.RequestAborted);
                            unsent = 0;
                        }
                    }
                    else if (sseEvent.Sequence > last)
                    {
                        // Live delivery may overtake itself (two publishers, or pub/sub across instances): the replay
                        // buffer, which holds every event in order, fills any gap so the client sees each event once, in order.
                        await SendAsync(body, sessionId, isGetStream, start, last, unsent, http.RequestAborted);
                        var next = WriteAfter(body, await replay.ReadAfterAsync(sessionId, stream, last, connection.Token) ?? [sseEvent], last);
                        unsent = next > last ? 1 : 0;
                        last = next;
                    }
                }

                await SendAsync(body, sessionId, isGetStream, start, last, unsent, http.RequestAborted);
                if (!open)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, another GET took the stream over, the stream's time was up, or the host is stopping:
            // unless the client left, a last retry hint has it reconnect (with Last-Event-ID, losing nothing).
            if (!http.RequestAborted.IsCancellationRequested)
            {
                await SayGoodbyeAsync(http);
            }
        }
        finally
        {
            if (isGetStream)
            {
                openStreams.Closed(sessionId, connection);
            }
            else
            {
                openStreams.ClosedResumed(sessionId);
            }

            connection.Dispose();
        }
    }

    /// <summary>A stream's written frames are sent once they hold this many bytes, even with more queued (Kestrel's own output buffer is 64 KB).</summary>
    private const int FlushAfterBytes = 64 * 1024;

    /// <summary>... or this many frames, where the body cannot say how many bytes it holds.</summary>
    private const int FlushAfterEvents = 64;

    /// <summary>
    /// Sends the <paramref name="unsent"/> frames written (none: nothing to do); a GET stream then records how far it
    /// delivered — what a fresh GET starts after — once it has written past <paramref name="start"/>.
    /// </summary>
    private async ValueTask SendAsync(PipeWriter body, string sessionId, bool isGetStream, long start, long last, int unsent, CancellationToken cancellationToken)
    {
        if (unsent == 0)
        {
            return;
        }

        await body.FlushAsync(cancellationToken);
        if (isGetStream && last > start)
        {
            openStreams.Written(sessionId, last);
        }
    }

    /// <summary>Writes the events after <paramref name="last"/>, in order; returns the last one written.</summary>
    private static long WriteAfter(PipeWriter body, IReadOnlyList<SseEvent> events, long last)
    {
        foreach (var sseEvent in events)
        {
            if (sseEvent.Sequence > last)
            {
                SseFormat.Event(body, sseEvent);
                last = sseEvent.Sequence;
            }
        }

        return last;
    }

    /// <summary>Sends the <c>retry</c> hint (the stream's first frame and its goodbye); returns the body to write on.</summary>
    private async ValueTask<PipeWriter> SendRetryAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var body = await SseFormat.BodyAsync(http.Response, cancellationToken);
        SseFormat.Retry(body, options.Value.RetryInterval);
        await body.FlushAsync(cancellationToken);
        return body;
    }

    /// <summary>
    /// Graceful shutdown: a last <c>retry</c> hint so the client reconnects soon — to another instance, which
    /// resumes the stream from <c>Last-Event-ID</c>.
    /// </summary>
    private async Task SayGoodbyeAsync(HttpContext http)
    {
        try
        {
            await SendRetryAsync(http, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is already gone.
        }
    }
}
