using System.IO.Pipelines;
using System.Text;
using McpCqrs.Mcp.AspNetCore;
using McpCqrs.Mcp.Streams;

namespace McpCqrs.Tests.Unit.Transport;

/// <summary>
/// The SSE frames as they go into a response body's pipe: exact text, UTF-8, a message larger than a pipe segment
/// written whole, and several frames before one flush arriving as they would one by one.
/// </summary>
public sealed class SseFormatTests
{
    private static async Task<string> WrittenAsync(Action<PipeWriter> write)
    {
        // Nothing reads until everything is written: the pipe must not hold a flush back for its reader.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        write(pipe.Writer);
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        using var reader = new StreamReader(pipe.Reader.AsStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Retry_is_the_interval_in_whole_milliseconds()
    {
        Assert.Equal("retry: 2500\n\n", await WrittenAsync(body => SseFormat.Retry(body, TimeSpan.FromMilliseconds(2500.7))));
    }

    [Fact]
    public async Task A_stored_event_carries_its_id_and_its_message()
    {
        var text = await WrittenAsync(body => SseFormat.Event(body, new SseEvent("g_7", """{"jsonrpc":"2.0","method":"x"}""")));

        Assert.Equal("id: g_7\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"x\"}\n\n", text);
    }

    [Fact]
    public async Task A_priming_event_has_an_id_and_empty_data()
    {
        Assert.Equal("id: r0a_1\ndata: \n\n", await WrittenAsync(body => SseFormat.Event(body, new SseEvent("r0a_1", string.Empty))));
    }

    [Fact]
    public async Task A_message_and_a_keep_alive_are_framed_as_the_specification_reads_them()
    {
        Assert.Equal("event: message\ndata: {}\n\n", await WrittenAsync(body => SseFormat.Message(body, "{}")));
        Assert.Equal(": keep-alive\n\n", await WrittenAsync(SseFormat.KeepAlive));
    }

    [Fact]
    public async Task Text_beyond_ASCII_is_written_as_UTF8()
    {
        const string data = """{"text":"Grüße — 日本語 🚀"}""";

        var text = await WrittenAsync(body => SseFormat.Message(body, data));

        Assert.Equal($"event: message\ndata: {data}\n\n", text);
    }

    [Fact]
    public async Task A_message_larger_than_a_pipe_segment_is_written_whole()
    {
        var data = "{\"blob\":\"" + new string('a', 200_000) + "é\"}";

        var text = await WrittenAsync(body => SseFormat.Message(body, data));

        Assert.Equal($"event: message\ndata: {data}\n\n", text);
    }

    [Fact]
    public async Task Frames_written_before_one_flush_read_as_the_same_frames_one_after_the_other()
    {
        var events = Enumerable.Range(1, 50).Select(i => new SseEvent($"g_{i}", $$"""{"i":{{i}}}""")).ToList();

        var text = await WrittenAsync(body =>
        {
            foreach (var sseEvent in events)
            {
                SseFormat.Event(body, sseEvent);
            }

            SseFormat.KeepAlive(body);
        });

        Assert.Equal(string.Concat(events.Select(e => $"id: {e.Id}\nevent: message\ndata: {e.Data}\n\n")) + ": keep-alive\n\n", text);
    }
}
