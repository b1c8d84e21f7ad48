using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Output;

/// <summary>
/// The size of a result as <see cref="McpLimitsOptions.MaxToolResultBytes"/> counts it: the UTF-8 bytes of its text,
/// the bytes of its base64 data and the JSON of its structured content, read from what is already built (nothing is
/// serialized a second time to measure it). Names, URIs and MIME types are not counted, nor the escaping JSON-RPC adds.
/// </summary>
public static class ResultSize
{
    /// <summary>The bytes of a JSON value, read from the document it lives in.</summary>
    public static long Of(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).Length;

    public static long Of(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    public static long Of(ContentBlock block) => block switch
    {
        TextContentBlock text => Of(text.Text),
        ImageContentBlock image => image.Data.Length,
        AudioContentBlock audio => audio.Data.Length,
        EmbeddedResourceBlock embedded => Of(embedded.Resource),
        _ => 0,
    };

    public static long Of(ResourceContents? contents) => contents switch
    {
        TextResourceContents text => Of(text.Text),
        BlobResourceContents blob => blob.Blob.Length,
        _ => 0,
    };

    public static long Of(IEnumerable<ContentBlock> blocks) => blocks.Sum(Of);

    public static long Of(IEnumerable<ResourceContents> contents) => contents.Sum(Of);

    public static long Of(CallToolResult result) => Of(result.Content) + (result.StructuredContent is { } structured ? Of(structured) : 0);

    public static long Of(GetPromptResult result) => result.Messages.Sum(m => Of(m.Content));
}
