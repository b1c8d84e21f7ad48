namespace McpCqrs.Starter.Tests;

/// <summary>
/// Answers sent as server-sent events, as the engine frames them: a <c>retry:</c> field, then a priming event (an id
/// with an empty <c>data:</c> line, so a client that loses the stream can resume it), then the messages.
/// </summary>
public sealed class EventStreamTests
{
    private const string Answer = """{"jsonrpc":"2.0","id":7,"result":{"content":[],"isError":false}}""";

    [Fact]
    public void The_priming_event_is_skipped_and_the_answer_found()
    {
        var stream = "retry: 1000\n\n"
            + "id: r0123456789abcdef:1\ndata: \n\n"
            + "id: r0123456789abcdef:2\nevent: message\n"
            + """data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}""" + "\n\n"
            + "id: r0123456789abcdef:3\nevent: message\ndata: " + Answer + "\n\n";

        var message = McpClient.MessageFromEvents(stream, 7);

        Assert.Equal(7, message["id"]!.GetValue<int>());
        Assert.False(message["result"]!["isError"]!.GetValue<bool>());
    }

    [Fact]
    public void A_priming_event_whose_data_line_has_no_space_is_skipped_too()
    {
        var stream = "id: r1:1\r\ndata:\r\n\r\nid: r1:2\r\nevent: message\r\ndata: " + Answer + "\r\n\r\n";

        Assert.Equal(7, McpClient.MessageFromEvents(stream, 7)["id"]!.GetValue<int>());
    }

    [Fact]
    public void A_stream_without_the_answer_says_so()
    {
        var stream = "retry: 1000\n\nid: r1:1\ndata: \n\n";

        var error = Assert.Throws<InvalidOperationException>(() => McpClient.MessageFromEvents(stream, 7));
        Assert.Contains("No answer to request 7", error.Message);
    }
}
