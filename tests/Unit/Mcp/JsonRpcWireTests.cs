using McpCqrs.Mcp.Dispatch;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class JsonRpcWireTests
{
    private static McpRefusal Refused(string body) =>
        Assert.Throws<McpRefusal>(() => JsonRpcWire.Classify(JsonDocument.Parse(body).RootElement));

    [Fact]
    public void A_message_with_an_id_and_a_method_is_a_request()
    {
        var envelope = JsonRpcWire.Classify(JsonDocument.Parse("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"x"}}""").RootElement);

        Assert.Equal(JsonRpcKind.Request, envelope.Kind);
        Assert.Equal("tools/list", envelope.Method);
        Assert.Equal(new RequestId(1), envelope.Id);
        Assert.Equal("x", envelope.Params?["cursor"]?.GetValue<string>());
    }

    [Fact]
    public void A_string_id_is_kept_as_a_string()
    {
        var envelope = JsonRpcWire.Classify(JsonDocument.Parse("""{"jsonrpc":"2.0","id":"abc","method":"ping"}""").RootElement);

        Assert.Equal(new RequestId("abc"), envelope.Id);
    }

    [Fact]
    public void A_message_with_a_method_and_no_id_is_a_notification()
    {
        var envelope = JsonRpcWire.Classify(JsonDocument.Parse("""{"jsonrpc":"2.0","method":"notifications/initialized"}""").RootElement);

        Assert.Equal(JsonRpcKind.Notification, envelope.Kind);
        Assert.Equal("notifications/initialized", envelope.Method);
        Assert.Null(envelope.Id);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":"s1","result":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"s1","error":{"code":-32601,"message":"no"}}""")]
    public void A_message_with_an_id_and_a_result_or_error_is_a_response(string body)
    {
        var envelope = JsonRpcWire.Classify(JsonDocument.Parse(body).RootElement);

        Assert.Equal(JsonRpcKind.Response, envelope.Kind);
        Assert.Equal(new RequestId("s1"), envelope.Id);
        Assert.Null(envelope.Method);
    }

    [Theory]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""")]
    [InlineData("\"ping\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("""{"id":1,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":2.0,"id":1,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":true,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1.5,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":null,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":{},"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":""}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":5}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","params":3}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{}}""")]
    public void A_malformed_message_is_an_invalid_request_with_400(string body)
    {
        var error = Refused(body);

        Assert.Equal(McpStatus.BadRequest, error.Status);
        Assert.Equal(-32600, error.Code);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"1.0","id":7,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"ping","params":"x"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":""}""")]
    public void The_refusal_of_a_message_with_a_readable_id_carries_that_id(string body) =>
        Assert.Equal(new RequestId(7), Refused(body).Id);

    /// <summary>The SDK's own contract, as the serializer writes it: what the hand-written tool result must equal.</summary>
    private static readonly JsonSerializerOptions SdkContract = new(ModelContextProtocol.McpJsonUtilities.DefaultOptions)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    public static TheoryData<int> ToolResults => [.. Enumerable.Range(0, ToolResultShapes().Length)];

    private static CallToolResult[] ToolResultShapes() =>
    [
        new() { Content = [] },
        new() { Content = [new TextContentBlock { Text = "hello" }] },
        new() { Content = [new TextContentBlock { Text = "quote \" back\\slash\nnew line é ✓ <tag> & 'apos'" }] },
        new()
        {
            Content = [new TextContentBlock { Text = "a", Meta = new() { ["mcpcqrs/outputFormat"] = "toon", ["n"] = 1 } }, new TextContentBlock { Text = "b" }],
            StructuredContent = Json("""{"items":[{"id":1,"title":"Ünïcode \"x\""}],"page":1,"next":null}"""),
            IsError = false,
            Meta = new() { ["m"] = new System.Text.Json.Nodes.JsonArray(1, "two") },
        },
        new() { Content = [new TextContentBlock { Text = "failed" }], IsError = true },
        // The serializer's cases: another block type, annotations, a result type.
        new() { Content = [new ImageContentBlock { Data = "aGk="u8.ToArray(), MimeType = "image/png" }, new TextContentBlock { Text = "x" }] },
        new() { Content = [new TextContentBlock { Text = "x", Annotations = new Annotations { Priority = 0.5f } }] },
        new() { Content = [new TextContentBlock { Text = "x" }], ResultType = "complete" },
    ];

    [Theory]
    [MemberData(nameof(ToolResults))]
    public void A_tool_result_is_written_as_the_SDK_writes_it(int shape)
    {
        var result = ToolResultShapes()[shape];

        var response = JsonRpcWire.Response(new RequestId(3), result);
        var reply = JsonRpcWire.Reply(new RequestId(3), result);

        var expected = JsonSerializer.Serialize(result, SdkContract);
        Assert.Equal($$"""{"result":{{expected}},"id":3,"jsonrpc":"2.0"}""", response);
        // The reply the host writes carries the same message as UTF-8, and reads back as the same text.
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(response), reply.Utf8Payload);
        Assert.Equal(response, reply.Payload);
    }

    [Theory]
    [MemberData(nameof(ToolResults))]
    public void A_tool_result_an_era_completes_gets_the_eras_members_after_its_own(int shape)
    {
        var result = ToolResultShapes()[shape];

        // The era's tail: a member of its own, then the result's own _meta (or an empty one) as it was handed over.
        var answer = JsonRpcWire.ToolReply(new RequestId(3), result, (writer, ownMeta) =>
        {
            writer.WriteString("resultType"u8, "complete"u8);
            writer.WritePropertyName("_meta"u8);
            writer.WriteRawValue(ownMeta.IsEmpty ? "{}"u8 : ownMeta, skipInputValidation: true);
        });

        if (shape >= 5)
        {
            Assert.Null(answer); // the serializer's cases: the era completes them another way
            return;
        }

        var expected = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(result, SdkContract))!.AsObject();
        var meta = expected["_meta"]?.DeepClone() ?? new System.Text.Json.Nodes.JsonObject();
        expected.Remove("_meta");
        expected["resultType"] = "complete";
        expected["_meta"] = meta;
        Assert.Equal($$"""{"result":{{expected.ToJsonString(SdkContract)}},"id":3,"jsonrpc":"2.0"}""", System.Text.Encoding.UTF8.GetString(answer!.Utf8Payload!));
    }

    [Fact]
    public void Structured_content_parsed_with_comments_allowed_is_written_as_strict_JSON()
    {
        var lenient = JsonDocument.Parse("""{ "a": 1, /* note */ "b": [1, 2,], }""", new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var result = new CallToolResult { Content = [new TextContentBlock { Text = "x" }], StructuredContent = lenient.RootElement };

        var written = JsonRpcWire.Response(new RequestId(1), result);

        Assert.Equal("""{"result":{"content":[{"type":"text","text":"x"}],"structuredContent":{"a":1,"b":[1,2]}},"id":1,"jsonrpc":"2.0"}""", written);
    }

    [Fact]
    public void Indented_structured_content_is_written_on_one_line()
    {
        // An SSE event's data line must not break: a multi-line element is written token by token, compact.
        var indented = JsonDocument.Parse("{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}");
        var result = new CallToolResult { Content = [new TextContentBlock { Text = "x" }], StructuredContent = indented.RootElement };

        var written = JsonRpcWire.Response(new RequestId(1), result);

        Assert.Equal("""{"result":{"content":[{"type":"text","text":"x"}],"structuredContent":{"a":1,"b":["x"]}},"id":1,"jsonrpc":"2.0"}""", written);
    }

    [Fact]
    public void A_tool_result_without_content_is_written_by_the_serializer()
    {
        var result = new CallToolResult { Content = null!, IsError = true };

        Assert.Equal($$"""{"result":{{JsonSerializer.Serialize(result, SdkContract)}},"id":1,"jsonrpc":"2.0"}""", JsonRpcWire.Response(new RequestId(1), result));
    }

    [Fact]
    public void A_reply_released_after_writing_refuses_to_be_read_again()
    {
        var reply = JsonRpcWire.Reply(new RequestId(1), null);
        var copy = reply with { SessionId = "s" };
        Assert.Equal("""{"result":{},"id":1,"jsonrpc":"2.0"}""", System.Text.Encoding.UTF8.GetString(copy.Utf8.Span));

        copy.Release();
        reply.Release(); // the copy shares the array: it goes back to the pool once

        // Its array may now hold someone else's message: reading it is an error, not a wrong answer.
        Assert.Throws<InvalidOperationException>(() => reply.Utf8);
        Assert.Throws<InvalidOperationException>(() => copy.Payload);
    }

    [Fact]
    public void A_reply_read_before_it_is_released_keeps_what_was_read()
    {
        var reply = JsonRpcWire.Reply(new RequestId(2), null);
        var bytes = reply.Utf8Payload;
        var text = reply.Payload;

        reply.Release();

        Assert.Equal(bytes, reply.Utf8Payload);
        Assert.Equal("""{"result":{},"id":2,"jsonrpc":"2.0"}""", text);
        Assert.Equal(text, reply.Payload);
    }
}
