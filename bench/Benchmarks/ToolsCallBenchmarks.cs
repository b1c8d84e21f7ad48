using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Mediator;
using McpCqrs.Application;
using McpCqrs.Application.Tickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.Output;
using McpCqrs.Querying;
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

/// <summary>A page of 20 ticket summaries, as <c>list_tickets</c> answers, without the database.</summary>
public sealed record PageOfTickets : ICommand<Page<TicketSummaryDto>>;

public sealed class PageOfTicketsHandler : ICommandHandler<PageOfTickets, Page<TicketSummaryDto>>
{
    private static readonly Page<TicketSummaryDto> Page = new(
        [.. Enumerable.Range(1, 20).Select(i => new TicketSummaryDto(
            i, 100 + (i % 3), $"Customer {i % 3}", $"Printer {i} jams on tray {i % 4}", TicketStatus.Open, (TicketPriority)(i % 4),
            i % 2 == 0 ? "alice" : null, ["hardware", "printer"], new DateTime(2026, 11, 1, 9, i, 0, DateTimeKind.Utc), new DateTime(2026, 11, 2, 9, i, 0, DateTimeKind.Utc)))],
        1,
        20,
        400);

    public ValueTask<Page<TicketSummaryDto>> Handle(PageOfTickets command, CancellationToken cancellationToken) => ValueTask.FromResult(Page);
}

/// <summary>
/// The in-process MCP path without HTTP: JSON-RPC bytes → envelope → the session era's admission → the dispatcher
/// (the method's span and measurements, its handler, the tool's request through the full pipeline: tracing, rate
/// limiting with a generous token bucket, validation) → the JSON-RPC response's UTF-8 bytes; with and without a listener on the
/// project's spans. <see cref="ToolsCallPageAsToon"/> answers a page of 20 tickets as <c>list_tickets</c> does
/// (TOON text and <c>structuredContent</c>): what a selector call costs beyond its database query.
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
    private byte[] _pageCall = null!;

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
        services.AddScoped<ICommandHandler<PageOfTickets, Page<TicketSummaryDto>>, PageOfTicketsHandler>();
        services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<Echo, EchoResult>("echo", r => r with { Description = "Echoes its message.", Public = true })
            .AddExternalTool<PageOfTickets, Page<TicketSummaryDto>>("page_of_tickets", r => r with { Description = "A page of tickets.", Public = true, Output = OutputFormat.Toon }));
        services.AddMcpDispatch();
        services.AddOutputFormats(); // TOON text where a tool asks for it, as the host has
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
        _pageCall = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"page_of_tickets","arguments":{}}}""");
    }

    /// <summary>The page call must answer a TOON result (a benchmark of an error answer measures nothing).</summary>
    [GlobalSetup(Target = nameof(ToolsCallPageAsToon))]
    public void SetupPage()
    {
        Setup();
        var text = ReplyAsync(_pageCall).AsTask().GetAwaiter().GetResult().TakePayload();
        if (!text.Contains("\"structuredContent\"", StringComparison.Ordinal) || !text.Contains("\"toon\"", StringComparison.Ordinal) || text.Contains("\"isError\":true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"page_of_tickets did not answer a TOON result: {text}");
        }
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
    public Task<int> ToolsCallPageAsToon() => DispatchAsync(_pageCall);

    [Benchmark]
    public JsonObject InputSchemaOfCreateTicket() =>
        RequestSchemaGenerator.Input(typeof(CreateTicket), [new CreateTicketValidator()]);

    /// <summary>
    /// The length of the reply's UTF-8, which the HTTP host writes as it is and then releases (a reply of text, which
    /// the engine does not make on this path, is encoded).
    /// </summary>
    private async Task<int> DispatchAsync(byte[] body)
    {
        var reply = await ReplyAsync(body);
        if (!reply.HasUtf8)
        {
            return Encoding.UTF8.GetByteCount(reply.Payload!);
        }

        var length = reply.Utf8.Length;
        reply.Release();
        return length;
    }

    /// <summary>The reply to <paramref name="body"/>: parsed, admitted in a session-era call and dispatched in a scope of its own.</summary>
    private async ValueTask<McpReply> ReplyAsync(byte[] body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var envelope = JsonRpcWire.Classify(document.RootElement);
        await using var scope = _services.CreateAsyncScope();
        var call = _services.GetRequiredService<McpCqrs.Mcp.Eras.SessionEraPolicy>().Admit(envelope, null);
        return await _services.GetRequiredService<McpDispatcher>().DispatchAsync(call, null, scope.ServiceProvider, CancellationToken.None);
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
