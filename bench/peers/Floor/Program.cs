using System.Text.Encodings.Web;
using System.Text.Json;

// The floor: bare Kestrel that parses a JSON-RPC tools/call and writes the CallToolResult our echo tool answers.
// No MCP semantics, no session, no pipeline: what any MCP server on this machine cannot beat. It logs at Warning,
// as the peers do (a floor that writes "Request starting ..." lines for every request is not a floor). It answers
// either era's request alike.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapPost("/mcp", async (HttpContext http) =>
{
    using var body = await JsonDocument.ParseAsync(http.Request.Body);
    var root = body.RootElement;
    if (!root.TryGetProperty("id", out var id))
    {
        http.Response.StatusCode = StatusCodes.Status202Accepted;
        return;
    }

    var message = root.TryGetProperty("params", out var p) && p.TryGetProperty("arguments", out var a) && a.TryGetProperty("message", out var m)
        ? m.GetString() ?? string.Empty
        : string.Empty;
    // The same answer as the MCP hosts': the result as JSON text and as structuredContent.
    http.Response.ContentType = "application/json";
    await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    writer.WriteStartObject();
    writer.WriteStartObject("result");
    writer.WriteStartArray("content");
    writer.WriteStartObject();
    writer.WriteString("type", "text");
    writer.WriteString("text", $"{{\"message\":\"{JsonEncodedText.Encode(message, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"}}");
    writer.WriteEndObject();
    writer.WriteEndArray();
    writer.WriteStartObject("structuredContent");
    writer.WriteString("message", message);
    writer.WriteEndObject();
    writer.WriteEndObject();
    writer.WritePropertyName("id");
    id.WriteTo(writer);
    writer.WriteString("jsonrpc", "2.0");
    writer.WriteEndObject();
    await writer.FlushAsync();
});
app.Run();
