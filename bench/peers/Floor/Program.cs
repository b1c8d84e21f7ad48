using System.Text.Json;

// The floor: bare Kestrel that parses a JSON-RPC tools/call and writes a CallToolResult echoing the message.
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
    http.Response.ContentType = "application/json";
    http.Response.Headers["Mcp-Session-Id"] = "floor";
    await using var writer = new Utf8JsonWriter(http.Response.Body);
    writer.WriteStartObject();
    writer.WriteStartObject("result");
    writer.WriteStartArray("content");
    writer.WriteStartObject();
    writer.WriteString("type", "text");
    writer.WriteString("text", message);
    writer.WriteEndObject();
    writer.WriteEndArray();
    writer.WriteEndObject();
    writer.WritePropertyName("id");
    id.WriteTo(writer);
    writer.WriteString("jsonrpc", "2.0");
    writer.WriteEndObject();
    await writer.FlushAsync();
});
app.Run();
