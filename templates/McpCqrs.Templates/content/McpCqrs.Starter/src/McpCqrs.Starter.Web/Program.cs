using McpCqrs.Mcp;
using McpCqrs.Mcp.AspNetCore;
using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Starter.Application;
using McpCqrs.Starter.Infrastructure;
using McpCqrs.Starter.Infrastructure.Persistence;
using Mediator;

var builder = WebApplication.CreateBuilder(args);

// AddApplication adds the application's [McpTool] requests and validators to the MCP engine (its one place).
builder.Services.AddApplication();
builder.Services.AddInfrastructure(builder.Configuration, builder.Environment);

// The MCP server: the engine's stores in our DbContext, and authentication as Auth:Backend says (appsettings.json).
builder.Services.AddMcpServer(builder.Configuration, builder.Environment, mcp => mcp.UseEntityFrameworkCore<AppDbContext>());

// The mediator. Its source generator reads these options at compile time, so they stay literals: the engine's
// assembly (its own requests and handlers) with ours, and the engine's behaviors in order (the first is the outermost).
// Transient: handlers and behaviors hold no state and a call resolves each once (their scoped dependencies stay scoped).
builder.Services.AddMediator((MediatorOptions options) =>
{
    options.ServiceLifetime = ServiceLifetime.Transient;
    options.Assemblies = [typeof(McpBuilder).Assembly, typeof(McpCqrs.Starter.Application.DependencyInjection).Assembly];
    options.PipelineBehaviors =
    [
        typeof(TracingBehavior<,>),
        typeof(AuthorizationBehavior<,>),
        typeof(RateLimitBehavior<,>),
        typeof(ValidationBehavior<,>),
        typeof(TaskAdmissionBehavior<,>),
        typeof(ResourceChangeBehavior<,>),
    ];
});

var app = builder.Build();

await app.Services.EnsureDatabaseAsync();

app.UseMcpServer();
app.MapGet("/", () => Results.Text("McpCqrs.Starter: the MCP endpoint is /mcp"));
app.MapMcp("/mcp");

await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
