using System.ComponentModel;
using ModelContextProtocol.Server;

// The peer: the official C# MCP SDK (ModelContextProtocol.AspNetCore), stateful HTTP (sessions, like the
// 2025-11-25 clients of the comparison; 2.4 defaults to stateless), one echo tool.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddMcpServer().WithHttpTransport(o => o.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful).WithTools<EchoTool>();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

[McpServerToolType]
public sealed class EchoTool
{
    [McpServerTool(Name = "echo"), Description("Echoes its message.")]
    public static string Echo(string message) => message;
}
