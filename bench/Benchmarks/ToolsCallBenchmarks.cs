using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Mediator;
using McpCqrs.Application;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.External;
using McpCqrs.Application.Mcp.Schema;
using McpCqrs.Application.Mcp.Sessions;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Infrastructure.Mcp;
using McpCqrs.Infrastructure.RateLimiting;
using McpCqrs.Web;
using McpCqrs.Web.Mcp;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Benchmarks;

public sealed record Echo(string Message) : ICommand<EchoResult>;

public sealed record EchoResult(string Message);

public sealed class EchoHandler : ICommandHandler<Echo, EchoResult>
{
    public ValueTask<EchoResult> Handle(Echo command, CancellationToken cancellationToken) => ValueTask.FromResult(new EchoResult(command.Message));
}

/// <summary>
/// The in-process MCP path without HTTP: JSON-RPC bytes → envelope → mediator request → full pipeline
/// (tracing with no listener, validation) → handler → JSON-RPC response text.
/// </summary>
[MemoryDiagnoser]
public class ToolsCallBenchmarks
{
    private ServiceProvider _services = null!;
    private byte[] _echoCall = null!;
    private byte[] _toolsList = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApplication();
        services.AddMcpCqrsMediator();
        services.AddSingleton(new McpServerInfo());
        services.AddOptions();
        services.AddSingleton<ISessionStore, InMemorySessionStore>();
        services.AddSingleton<ICurrentUser, NoUser>();
        services.AddRateLimitingCore(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), null);
        services.AddScoped<ICommandHandler<Echo, EchoResult>, EchoHandler>();
        services.AddMcpCatalog(catalog => catalog.AddExternalTool<Echo, EchoResult>("echo", r => r with { Description = "Echoes its message." }));
        _services = services.BuildServiceProvider();
        _echoCall = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}""");
        _toolsList = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":8,"method":"tools/list"}""");
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task<string> ToolsCallEcho() => DispatchAsync(_echoCall);

    [Benchmark]
    public Task<string> ToolsList() => DispatchAsync(_toolsList);

    [Benchmark]
    public JsonObject InputSchemaOfCreateTicket() =>
        RequestSchemaGenerator.Input(typeof(CreateTicket), [new CreateTicketValidator()]);

    private async Task<string> DispatchAsync(byte[] body)
    {
        var envelope = JsonRpcWire.Classify(JsonNode.Parse(body));
        await using var scope = _services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<McpRequestContext>();
        context.Method = envelope.Method!;
        context.RequestId = envelope.Id;
        var message = McpMethodTable.Create(envelope.Method!, envelope.Params);
        var result = await scope.ServiceProvider.GetRequiredService<ISender>().Send((object)message);
        return JsonRpcWire.Response(envelope.Id!.Value, result);
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
