using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.External;
using McpCqrs.Mcp.Methods;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Returns <paramref name="Size"/> characters of data (as structured content and, again, as its JSON text).</summary>
public sealed record BigResult(int Size) : ICommand<BigData>;

public sealed record BigData(string Data);

/// <summary>Waits until its token is cancelled; <paramref name="Tag"/> tells the test which call started and which was cancelled.</summary>
public sealed record WaitForCancel(string Tag) : ICommand<BigData>;

/// <summary>The same as <see cref="WaitForCancel"/>, registered with its own timeout.</summary>
public sealed record WaitWithOwnTimeout(string Tag) : ICommand<BigData>;

/// <summary>The same as <see cref="WaitForCancel"/>, registered with a timeout no test reaches.</summary>
public sealed record WaitPatiently(string Tag) : ICommand<BigData>;

/// <summary>
/// Reads a resource through the MCP method's handler, in the tool's scope and with the tool's token, then waits like
/// <see cref="WaitForCancel"/>: the read's timeout must leave the tool's own armed.
/// </summary>
public sealed record ReadThenWait(string Tag) : ICommand<BigData>;

/// <summary>A resource of <paramref name="Size"/> characters.</summary>
public sealed record BigResource(int Size) : IQuery<string>;

/// <summary>A resource that waits until its token is cancelled.</summary>
public sealed record SlowResource(string Tag) : IQuery<string>;

/// <summary>A prompt of <paramref name="Size"/> characters.</summary>
public sealed record BigPrompt(int Size) : IQuery<string>;

/// <summary>What the waiting handlers saw: each call's start and the cancellation of its token, by tag.</summary>
public sealed class Waiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _cancelled = new(StringComparer.Ordinal);

    public Task Started(string tag) => Of(_started, tag).Task;

    public Task Cancelled(string tag) => Of(_cancelled, tag).Task;

    public async Task<T> WaitAsync<T>(string tag, CancellationToken cancellationToken)
    {
        Of(_started, tag).TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Of(_cancelled, tag).TrySetResult();
            throw;
        }

        throw new InvalidOperationException("unreachable");
    }

    private static TaskCompletionSource Of(ConcurrentDictionary<string, TaskCompletionSource> map, string tag) =>
        map.GetOrAdd(tag, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

internal sealed class OutboundHandlers(Waiters waiters, IServiceProvider services)
    : ICommandHandler<BigResult, BigData>,
      ICommandHandler<ReadThenWait, BigData>,
      ICommandHandler<WaitForCancel, BigData>,
      ICommandHandler<WaitWithOwnTimeout, BigData>,
      ICommandHandler<WaitPatiently, BigData>,
      IQueryHandler<BigResource, string>,
      IQueryHandler<SlowResource, string>,
      IQueryHandler<BigPrompt, string>
{
    public ValueTask<BigData> Handle(BigResult command, CancellationToken cancellationToken) => ValueTask.FromResult(new BigData(new string('x', command.Size)));

    public async ValueTask<BigData> Handle(WaitForCancel command, CancellationToken cancellationToken) => await waiters.WaitAsync<BigData>(command.Tag, cancellationToken);

    public async ValueTask<BigData> Handle(ReadThenWait command, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<IMcpMethodHandler<McpReadResource, ModelContextProtocol.Protocol.ReadResourceResult>>()
            .Handle(new McpReadResource("big://10"), cancellationToken);
        return await waiters.WaitAsync<BigData>(command.Tag, cancellationToken);
    }

    public async ValueTask<BigData> Handle(WaitWithOwnTimeout command, CancellationToken cancellationToken) => await waiters.WaitAsync<BigData>(command.Tag, cancellationToken);

    public async ValueTask<BigData> Handle(WaitPatiently command, CancellationToken cancellationToken) => await waiters.WaitAsync<BigData>(command.Tag, cancellationToken);

    public ValueTask<string> Handle(BigResource query, CancellationToken cancellationToken) => ValueTask.FromResult(new string('r', query.Size));

    public async ValueTask<string> Handle(SlowResource query, CancellationToken cancellationToken) => await waiters.WaitAsync<string>(query.Tag, cancellationToken);

    public ValueTask<string> Handle(BigPrompt query, CancellationToken cancellationToken) => ValueTask.FromResult(new string('p', query.Size));
}

/// <summary>A host with a small result limit (4 KiB) and a short dispatch timeout (1 s), and tools that reach them.</summary>
public sealed class OutboundHost : IAsyncLifetime
{
    public const int MaxBytes = 4096;

    internal TestHost Host { get; private set; } = null!;

    internal Waiters Waiters => Host.Services.GetRequiredService<Waiters>();

    public async Task InitializeAsync() => Host = await TestHost.StartOnSqliteAsync(
        services =>
        {
            services.AddSingleton<Waiters>();
            services.AddScoped<OutboundHandlers>();
            services.AddScoped<ICommandHandler<BigResult, BigData>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<ICommandHandler<WaitForCancel, BigData>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<ICommandHandler<ReadThenWait, BigData>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<ICommandHandler<WaitWithOwnTimeout, BigData>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<ICommandHandler<WaitPatiently, BigData>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<IQueryHandler<BigResource, string>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<IQueryHandler<SlowResource, string>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddScoped<IQueryHandler<BigPrompt, string>>(sp => sp.GetRequiredService<OutboundHandlers>());
            services.AddMcpCatalog(catalog => catalog
                .AddExternalTool<BigResult, BigData>("big_result", r => r with { Public = true })
                .AddExternalTool<WaitForCancel, BigData>("wait_for_cancel", r => r with { Public = true })
                .AddExternalTool<ReadThenWait, BigData>("read_then_wait", r => r with { Public = true })
                .AddExternalTool<WaitWithOwnTimeout, BigData>("wait_with_own_timeout", r => r with { Public = true, Timeout = TimeSpan.FromSeconds(2) })
                .AddExternalTool<WaitPatiently, BigData>("wait_patiently", r => r with { Public = true, Timeout = TimeSpan.FromMinutes(10) })
                .AddExternalResource<BigResource, string>("big://{size}", r => r with { Public = true })
                .AddExternalResource<SlowResource, string>("slow://{tag}", r => r with { Public = true })
                .AddExternalPrompt<BigPrompt, string>("big_prompt", p => p with { Public = true }));
        },
        new Dictionary<string, string?>
        {
            ["Mcp:Limits:MaxToolResultBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mcp:Limits:DispatchTimeout"] = "00:00:01",
        });

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}

/// <summary>
/// <c>Mcp:Limits:MaxToolResultBytes</c> and <c>Mcp:Limits:DispatchTimeout</c> (and a tool's own timeout) in both
/// eras: an oversized result is a tool error (resources and prompts: the limit error), never a giant response; a call
/// past its timeout has its handler's token cancelled and is answered as timed out; a client's cancel stays a cancel.
/// </summary>
public sealed class OutboundLimitsTests(OutboundHost fixture) : IClassFixture<OutboundHost>
{
    private const string SessionEra = "2025-11-25";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>One request in <paramref name="era"/>: a fresh session for 2025-11-25, the stateless form for 2026-07-28.</summary>
    private async Task<Reply> SendAsync(string era, string method, JsonObject parameters, int id = 7)
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        if (era == StatelessWire.Version)
        {
            return await new StatelessHttp(client).CallAsync(StatelessWire.Request(method, parameters, id));
        }

        var raw = new RawMcp(client);
        await raw.InitializeAsync(SessionEra);
        using var response = await raw.PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString());
        return await StatelessHttp.ReadAsync(response);
    }

    private Task<Reply> CallAsync(string era, string tool, JsonObject arguments) =>
        SendAsync(era, "tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments });

    private static JsonObject ToolResult(Reply reply)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return Assert.IsType<JsonObject>(reply.Final["result"]);
    }

    /// <summary>The typed error of an <c>isError</c> tool result.</summary>
    private static JsonObject ToolError(Reply reply)
    {
        var result = ToolResult(reply);
        Assert.True(result["isError"]?.GetValue<bool>() == true, reply.ToString());
        Assert.Null(result["structuredContent"]);
        return JsonNode.Parse(Expect.Text(result))!["error"]!.AsObject();
    }

    private static JsonObject RpcError(Reply reply, int code)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        var error = Assert.IsType<JsonObject>(reply.Final["error"]);
        Assert.True(code == error["code"]!.GetValue<int>(), reply.ToString());
        return error;
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task An_oversized_tool_result_is_a_result_too_large_tool_error_not_a_giant_response(string era)
    {
        var reply = await CallAsync(era, "big_result", new JsonObject { ["size"] = 50_000 });

        var error = ToolError(reply);
        Assert.Equal("result_too_large", error["type"]!.GetValue<string>());
        Assert.Equal("Mcp:Limits:MaxToolResultBytes", error["limit"]!.GetValue<string>());
        Assert.Equal(OutboundHost.MaxBytes, error["max"]!.GetValue<long>());
        Assert.Contains("Ask for less", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(reply.Final.ToJsonString().Length < OutboundHost.MaxBytes, reply.ToString());
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task A_tool_result_within_the_limit_is_sent_whole(string era)
    {
        var result = ToolResult(await CallAsync(era, "big_result", new JsonObject { ["size"] = 1_000 }));

        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        Assert.Equal(1_000, result["structuredContent"]!["data"]!.GetValue<string>().Length);
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task An_oversized_resource_or_prompt_is_the_limit_error_naming_the_limit(string era)
    {
        var read = RpcError(await SendAsync(era, "resources/read", new JsonObject { ["uri"] = "big://50000" }), McpLimitExceededException.Code);
        var prompt = RpcError(await SendAsync(era, "prompts/get", new JsonObject { ["name"] = "big_prompt", ["arguments"] = new JsonObject { ["size"] = "50000" } }), McpLimitExceededException.Code);

        foreach (var error in new[] { read, prompt })
        {
            Assert.Equal("Mcp:Limits:MaxToolResultBytes", error["data"]!["limit"]!.GetValue<string>());
            Assert.Equal(OutboundHost.MaxBytes, error["data"]!["max"]!.GetValue<long>());
        }

        // Small ones still pass.
        Assert.NotNull((await SendAsync(era, "resources/read", new JsonObject { ["uri"] = "big://100" })).Final["result"]);
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task A_tool_past_the_dispatch_timeout_has_its_token_cancelled_and_gets_a_timeout_tool_error(string era)
    {
        var tag = Guid.NewGuid().ToString("N");

        var error = ToolError(await CallAsync(era, "wait_for_cancel", new JsonObject { ["tag"] = tag }));

        Assert.Equal("timeout", error["type"]!.GetValue<string>());
        Assert.Equal("Mcp:Limits:DispatchTimeout", error["limit"]!.GetValue<string>());
        Assert.Equal(1, error["max"]!.GetValue<long>());
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task A_read_the_tool_makes_through_the_method_handler_leaves_the_tool_timeout_armed(string era)
    {
        var tag = Guid.NewGuid().ToString("N");

        var error = ToolError(await CallAsync(era, "read_then_wait", new JsonObject { ["tag"] = tag }).WaitAsync(Patience));

        Assert.Equal("timeout", error["type"]!.GetValue<string>());
        Assert.Equal("Mcp:Limits:DispatchTimeout", error["limit"]!.GetValue<string>());
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task A_tool_own_timeout_replaces_the_server_default(string era)
    {
        var tag = Guid.NewGuid().ToString("N");

        var error = ToolError(await CallAsync(era, "wait_with_own_timeout", new JsonObject { ["tag"] = tag }));

        Assert.Equal("timeout", error["type"]!.GetValue<string>());
        Assert.Equal(2, error["max"]!.GetValue<long>());
        Assert.Contains("wait_with_own_timeout", error["limit"]!.GetValue<string>(), StringComparison.Ordinal);
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }

    [Theory]
    [InlineData(SessionEra)]
    [InlineData(StatelessWire.Version)]
    public async Task A_resource_past_the_dispatch_timeout_is_the_timed_out_error(string era)
    {
        var tag = Guid.NewGuid().ToString("N");

        var error = RpcError(await SendAsync(era, "resources/read", new JsonObject { ["uri"] = $"slow://{tag}" }), DispatchTimeoutException.Code);

        Assert.Equal("Mcp:Limits:DispatchTimeout", error["data"]!["limit"]!.GetValue<string>());
        Assert.Equal(1, error["data"]!["max"]!.GetValue<long>());
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_call_the_client_cancels_is_reported_as_cancelled_not_as_timed_out()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        var raw = new RawMcp(client);
        await raw.InitializeAsync(SessionEra);
        var tag = Guid.NewGuid().ToString("N");
        var call = raw.PostAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 41,
            ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = "wait_patiently", ["arguments"] = new JsonObject { ["tag"] = tag } },
        }.ToJsonString());
        await fixture.Waiters.Started(tag).WaitAsync(Patience);

        (await raw.PostAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":41}}""")).EnsureSuccessStatusCode();

        using var response = await call.WaitAsync(Patience);
        var error = RpcError(await StatelessHttp.ReadAsync(response), -32800);
        Assert.DoesNotContain("timed out", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_stateless_call_whose_client_leaves_has_its_token_cancelled_before_any_timeout()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        using var leave = new CancellationTokenSource();
        var call = new StatelessHttp(client).SendAsync(StatelessWire.Call("wait_patiently", new JsonObject { ["tag"] = tag }), cancellationToken: leave.Token);
        await fixture.Waiters.Started(tag).WaitAsync(Patience);

        await leave.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await fixture.Waiters.Cancelled(tag).WaitAsync(Patience);
    }
}
