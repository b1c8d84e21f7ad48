using Mediator;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.External;
using McpCqrs.Web;

// Our host exactly as Program builds it, plus an echo tool (a command through the whole pipeline: tracing with
// no listener, rate limiting with a generous policy, validation) for side-by-side load runs.
var app = McpCqrsApp.Build(args, builder =>
{
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["RateLimiting:Policies:generous:Algorithm"] = "TokenBucket",
        ["RateLimiting:Policies:generous:PermitLimit"] = "1000000000",
        ["RateLimiting:Policies:generous:TokensPerPeriod"] = "1000000000",
        ["RateLimiting:Policies:generous:ReplenishmentPeriod"] = "00:00:01",
        ["RateLimiting:Bindings:Echo:0"] = "generous",
    });
    builder.Services.AddScoped<ICommandHandler<Echo, EchoResult>, EchoHandler>();
    builder.Services.AddMcpCatalog(catalog => catalog.AddExternalTool<Echo, EchoResult>("echo", r => r with { Description = "Echoes its message." }));
});
await app.RunAsync();

public sealed record Echo(string Message) : ICommand<EchoResult>;

public sealed record EchoResult(string Message);

public sealed class EchoHandler : ICommandHandler<Echo, EchoResult>
{
    public ValueTask<EchoResult> Handle(Echo command, CancellationToken cancellationToken) => ValueTask.FromResult(new EchoResult(command.Message));
}
