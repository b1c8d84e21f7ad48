using System.ComponentModel;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

// The peer: the official C# MCP SDK (ModelContextProtocol.AspNetCore 2.4), one echo tool, logging at Warning.
// `--SessionMode Stateful` (the default here) serves 2025-11-25 clients with sessions; `--SessionMode Stateless`
// serves 2026-07-28 requests with no session — the two eras of the comparison.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var mode = Enum.Parse<HttpServerSessionMode>(builder.Configuration["SessionMode"] ?? nameof(HttpServerSessionMode.Stateful), ignoreCase: true);
builder.Services.AddMcpServer().WithHttpTransport(o => o.SessionMode = mode).WithTools<EchoTool>();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

[McpServerToolType]
public sealed class EchoTool
{
    [McpServerTool(Name = "echo"), Description("Echoes its message.")]
    public static string Echo(string message) => message;
}
