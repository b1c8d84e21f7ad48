using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Mediator;
using McpCqrs.Application;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.External;
using McpCqrs.Mcp.Schema;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Mcp.InMemory;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Web;
using McpCqrs.Web.Apps;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Benchmarks;

public sealed record Echo(string Message) : ICommand<EchoResult>;

public sealed record EchoResult(string Message);

public sealed class EchoHandler : ICommandHandler<Echo, EchoResult>
{
    public ValueTask<EchoResult> Handle(Echo command, CancellationToken cancellationToken) => ValueTask.FromResult(new EchoResult(command.Message));
}

/// <summary>
/// The in-process MCP path without HTTP: JSON-RPC bytes → envelope → the session era's admission → the dispatcher
/// (the method's span and measurements, its handler, the tool's request through the full pipeline: tracing, rate
/// limiting with a generous token bucket, validation) → the JSON-RPC response's UTF-8 bytes; with and without a listener on the
/// project's spans.
/// </summary>
[MemoryDiagnoser]
public class ToolsCallBenchmarks
{
    private ServiceProvider _services = null!;
    private System.Diagnostics.ActivityListener? _listener;

    /// <summary>With a listener that records every span of the project's source (as an exporter would), or none.</summary>
    [Params(false, true)]
    public bool Traced { get; set; }
    private byte[] _echoCall = null!;
    private byte[] _toolsList = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApplication();
        services.AddMcpCqrsMediator();
        // The desk's view: list_tickets names it, and the catalog refuses a tool whose view is missing.
        services.AddTicketBoardApp();
        services.AddSingleton(new McpServerInfo());
        services.AddOptions();
        services.AddSingleton<ISessionStore, InMemorySessionStore>();
        services.AddSingleton<ICurrentUser, NoUser>();
        // A generous token bucket on echo: the rate-limit behavior does its full work on every call.
        services.AddRateLimitingCore(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
            limits => limits
                .AddPolicy(McpCqrs.Mcp.RateLimiting.RateLimitPolicy.TokenBucket("generous", 1_000_000_000, 1_000_000_000, TimeSpan.FromSeconds(1)))
                .ForBinding(nameof(Echo), "generous"));
        services.AddScoped<ICommandHandler<Echo, EchoResult>, EchoHandler>();
        services.AddMcpCatalog(catalog => catalog.AddExternalTool<Echo, EchoResult>("echo", r => r with { Description = "Echoes its message.", Public = true }));
        services.AddMcpDispatch();
        _services = services.BuildServiceProvider();
        if (Traced)
        {
            _listener = new System.Diagnostics.ActivityListener
            {
                ShouldListenTo = source => source.Name == McpCqrs.Mcp.Diagnostics.ApplicationTelemetry.SourceName,
                Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            };
            System.Diagnostics.ActivitySource.AddActivityListener(_listener);
        }
        _echoCall = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}""");
        _toolsList = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":8,"method":"tools/list"}""");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> ToolsCallEcho() => DispatchAsync(_echoCall);

    [Benchmark]
    public Task<int> ToolsList() => DispatchAsync(_toolsList);

    [Benchmark]
    public JsonObject InputSchemaOfCreateTicket() =>
        RequestSchemaGenerator.Input(typeof(CreateTicket), [new CreateTicketValidator()]);

    /// <summary>
    /// The length of the reply's UTF-8, which the HTTP host writes as it is and then releases (a reply of text, which
    /// the engine does not make on this path, is encoded).
    /// </summary>
    private async Task<int> DispatchAsync(byte[] body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var envelope = JsonRpcWire.Classify(document.RootElement);
        await using var scope = _services.CreateAsyncScope();
        var call = _services.GetRequiredService<McpCqrs.Mcp.Eras.SessionEraPolicy>().Admit(envelope, null);
        var reply = await _services.GetRequiredService<McpDispatcher>().DispatchAsync(call, null, scope.ServiceProvider, CancellationToken.None);
        if (!reply.HasUtf8)
        {
            return Encoding.UTF8.GetByteCount(reply.Payload!);
        }

        var length = reply.Utf8.Length;
        reply.Release();
        return length;
    }

    private sealed class NoUser : ICurrentUser
    {
        public string? Id => null;

        public string? Name => null;

        public bool IsAuthenticated => false;

        public IReadOnlySet<string> Scopes { get; } = new HashSet<string>();

        public IReadOnlySet<string> Roles { get; } = new HashSet<string>();

        public string? ClientAddress => null;
    }
}
