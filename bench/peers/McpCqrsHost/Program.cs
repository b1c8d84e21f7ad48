using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.External;
using McpCqrs.Web;

// Our host exactly as Program builds it, plus an echo tool (a command through the whole pipeline: tracing with
// no listener, rate limiting with a generous policy, validation) for side-by-side load runs. The per-caller session
// bounds are lifted as the SDK peer has none: the churn run opens tens of thousands of sessions a minute as one
// anonymous caller, which Mcp:Limits would (rightly) refuse.
var app = McpCqrsApp.Build(args, builder =>
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        // Warning, as every peer: appsettings.json's Information default would write a console line for each
        // session opened and ended (a minimum level set in code does not override configured categories).
        ["Logging:LogLevel:Default"] = "Warning",
        ["RateLimiting:Policies:generous:Algorithm"] = "TokenBucket",
        ["RateLimiting:Policies:generous:PermitLimit"] = "1000000000",
        ["RateLimiting:Policies:generous:TokensPerPeriod"] = "1000000000",
        ["RateLimiting:Policies:generous:ReplenishmentPeriod"] = "00:00:01",
        ["RateLimiting:Bindings:Echo:0"] = "generous",
        ["Mcp:Limits:SessionsPerMinutePerPrincipal"] = "1000000",
        ["Mcp:Limits:MaxSessionsPerPrincipal"] = "100000",
    });
    builder.Services.AddScoped<ICommandHandler<Echo, EchoResult>, EchoHandler>();
    builder.Services.AddScoped<ICommandHandler<Broadcast, int>, BroadcastHandler>();
    builder.Services.AddScoped<ICommandHandler<Work, string>, WorkHandler>();
    builder.Services.AddMcpCatalog(catalog => catalog
        .AddExternalTool<Echo, EchoResult>("echo", r => r with { Description = "Echoes its message.", Public = true })
        .AddExternalTool<Broadcast, int>("broadcast", r => r with { Description = "Sends Count notifications to every open session stream (fan-out load).", Public = true })
        .AddExternalTool<Work, string>("work", r => r with { Description = "Waits Millis, then records its id in the run ledger (task drain load).", Public = true, Task = McpCqrs.Mcp.Catalog.TaskSupport.Optional }));
});
await app.RunAsync();

public sealed record Echo(string Message) : ICommand<EchoResult>;

public sealed record EchoResult(string Message);

public sealed class EchoHandler : ICommandHandler<Echo, EchoResult>
{
    public ValueTask<EchoResult> Handle(Echo command, CancellationToken cancellationToken) => ValueTask.FromResult(new EchoResult(command.Message));
}

public sealed record Broadcast(int Count) : ICommand<int>;

/// <summary>The fan-out scenario's trigger: every notification goes to every session that holds an open GET stream.</summary>
public sealed class BroadcastHandler(McpCqrs.Mcp.Context.IMcpNotifier notifier) : ICommandHandler<Broadcast, int>
{
    public async ValueTask<int> Handle(Broadcast command, CancellationToken cancellationToken)
    {
        for (var i = 0; i < command.Count; i++)
        {
            await notifier.BroadcastAsync(
                new ModelContextProtocol.Protocol.JsonRpcNotification
                {
                    Method = "notifications/bench/tick",
                    Params = new System.Text.Json.Nodes.JsonObject { ["i"] = i, ["sentAtMicros"] = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10 },
                },
                cancellationToken);
        }

        return command.Count;
    }
}

public sealed record Work(string Id, int Millis) : ICommand<string>;

/// <summary>
/// The task-drain scenario's unit of work: waits <see cref="Work.Millis"/>, then writes one line (its id and the
/// process id) to <c>BENCH_LEDGER</c>, so a run can count how often each task ran and where. bench/scale/tasks.sh makes
/// it a pipe read by one reader: a line is one write shorter than PIPE_BUF, kept whole however many processes write
/// (a plain file would not do: .NET's append mode writes at the end offset read at open, not with O_APPEND).
/// </summary>
public sealed class WorkHandler : ICommandHandler<Work, string>
{
    public async ValueTask<string> Handle(Work command, CancellationToken cancellationToken)
    {
        if (command.Millis > 0)
        {
            await Task.Delay(command.Millis, cancellationToken);
        }

        if (Environment.GetEnvironmentVariable("BENCH_LEDGER") is { Length: > 0 } ledger)
        {
            var line = System.Text.Encoding.UTF8.GetBytes($"{command.Id} {Environment.ProcessId}\n");
            await using var file = new FileStream(ledger, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await file.WriteAsync(line, cancellationToken);
        }

        return command.Id;
    }
}
