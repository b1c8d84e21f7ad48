using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Querying;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Output;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed record OlEcho : ICommand<OlText>;

public sealed record OlText(string Text);

public sealed record OlPage(string? Filter = null, string? OrderBy = null, int Page = 1, int PageSize = 10) : IQuery<OlText>, ISelectorQuery;

[McpTool("ol_attributed", TimeoutSeconds = 5, Public = true)]
public sealed record OlAttributed : ICommand<OlText>;

[McpSelector("ol_attributed_selector", Fields = typeof(OlFields), TimeoutSeconds = 7, Public = true)]
public sealed record OlAttributedSelector(string? Filter = null, string? OrderBy = null, int Page = 1, int PageSize = 10) : IQuery<OlText>, ISelectorQuery;

public static class OlFields
{
    public static FieldMap<OlText> Map { get; } = new FieldMap<OlText>().Map("text", t => t.Text);
}

/// <summary>
/// The dispatch timeout (<see cref="BoundRequests"/>) and the result size limit, through the method handlers, with a
/// fake clock: no test waits for real time.
/// </summary>
public sealed class OutboundLimitsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly McpLimitsOptions _limits = new() { DispatchTimeout = TimeSpan.FromSeconds(30), MaxToolResultBytes = 2048 };
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<object?> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceProvider? _services;

    public void Dispose() => _services?.Dispose();

    private ServiceProvider Services(McpRequestContext? context = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_clock).AddSingleton(_limits);
        if (context is not null)
        {
            services.AddSingleton(context);
        }

        return _services = services.BuildServiceProvider();
    }

    /// <summary>Waits for <see cref="_release"/> or for its token; records the cancellation.</summary>
    private ToolInvoker Waits() => async (_, _, cancellationToken) =>
    {
        try
        {
            return await _release.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
    };

    private static ToolInvoker Returns(object? result) => (_, _, _) => ValueTask.FromResult(result);

    private McpCallToolHandler Tool(ToolRegistration tool, McpRequestContext? context = null, IOutputFormatter? formatter = null) =>
        new(new McpCatalog([tool], _ => []), null!, Services(context), formatter ?? JsonOutputFormatter.Instance);

    private static ToolError ErrorOf(CallToolResult result)
    {
        Assert.True(result.IsError);
        Assert.Null(result.StructuredContent);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        return JsonSerializer.Deserialize<JsonObject>(text)!["error"].Deserialize<ToolError>()!;
    }

    [Fact]
    public async Task A_tool_past_the_dispatch_timeout_has_its_token_cancelled_and_gets_a_timeout_error()
    {
        var call = Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Waits())).Handle(new McpCallTool("echo", null), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(call.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var error = ErrorOf(await call);
        Assert.Equal(ToolError.Timeout, error.Type);
        Assert.Equal("Mcp:Limits:DispatchTimeout", error.Limit);
        Assert.Equal(30, error.Max);
        Assert.True(_cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task A_tool_own_timeout_replaces_the_server_default()
    {
        var call = Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Waits(), Timeout: TimeSpan.FromSeconds(5)))
            .Handle(new McpCallTool("echo", null), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(5));

        var error = ErrorOf(await call);
        Assert.Equal(ToolError.Timeout, error.Type);
        Assert.Equal(5, error.Max);
        Assert.Contains("'echo'", error.Limit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_cancelled_by_the_caller_stays_a_cancellation_not_a_timeout()
    {
        using var caller = new CancellationTokenSource();
        var call = Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Waits())).Handle(new McpCallTool("echo", null), caller.Token).AsTask();

        await caller.CancelAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(_cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task A_task_run_is_bounded_by_its_ttl_not_by_the_dispatch_timeout()
    {
        var context = new McpRequestContext { Task = new RunningTask() };
        var call = Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Waits()), context).Handle(new McpCallTool("echo", null), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(_cancelled.Task.IsCompleted);
        _release.SetResult(new OlText("done"));

        var result = await call;
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("done", result.StructuredContent!.Value.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_resource_past_the_dispatch_timeout_is_the_timed_out_protocol_error()
    {
        var catalog = new McpCatalog([], [new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: Waits())], [], _ => []);
        var read = new McpReadResourceHandler(catalog, Services(), new QsSender()).Handle(new McpReadResource("docs://1"), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<DispatchTimeoutException>(() => read);
        Assert.Equal(DispatchTimeoutException.Code, (int)error.ErrorCode);
        Assert.Equal("Mcp:Limits:DispatchTimeout", ((JsonNode)error.Data["limit"]!).GetValue<string>());
        Assert.Equal(30, ((JsonNode)error.Data["max"]!).GetValue<long>());
    }

    [Fact]
    public async Task A_result_at_the_limit_is_sent_and_one_byte_more_is_result_too_large()
    {
        // Structured content {"text":"…"} (11 bytes of JSON around the text) plus the same JSON as text content.
        var atLimit = new OlText(new string('a', (2048 / 2) - 11));
        var over = new OlText(atLimit.Text + "a");

        var sent = await Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Returns(atLimit))).Handle(new McpCallTool("echo", null), CancellationToken.None);
        var refused = await Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Returns(over))).Handle(new McpCallTool("echo", null), CancellationToken.None);

        Assert.Equal(2048, ResultSize.Of(sent));
        Assert.NotEqual(true, sent.IsError);
        var error = ErrorOf(refused);
        Assert.Equal(ToolError.ResultTooLarge, error.Type);
        Assert.Equal("Mcp:Limits:MaxToolResultBytes", error.Limit);
        Assert.Equal(2048, error.Max);
        Assert.Contains("2050 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Structured_content_already_over_the_limit_is_not_written_as_text()
    {
        var formatter = new CountingFormatter();

        var result = await Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Returns(new OlText(new string('a', 4096)))), formatter: formatter)
            .Handle(new McpCallTool("echo", null), CancellationToken.None);

        Assert.Equal(ToolError.ResultTooLarge, ErrorOf(result).Type);
        Assert.Equal(0, formatter.Calls);
    }

    [Fact]
    public async Task An_oversized_content_result_is_result_too_large()
    {
        var content = new ToolContent([ImageContentBlock.FromBytes(new byte[4096], "image/png")]);

        var result = await Tool(new ToolRegistration(typeof(OlEcho), "echo", Invoker: Returns(content))).Handle(new McpCallTool("echo", null), CancellationToken.None);

        Assert.Equal(ToolError.ResultTooLarge, ErrorOf(result).Type);
    }

    [Fact]
    public async Task An_oversized_selector_page_says_to_ask_for_a_smaller_pageSize()
    {
        var result = await Tool(new ToolRegistration(typeof(OlPage), "page", Invoker: Returns(new OlText(new string('a', 4096))))).Handle(new McpCallTool("page", null), CancellationToken.None);

        Assert.Contains("smaller pageSize", ErrorOf(result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_resource_contents_and_prompt_messages_are_the_limit_error()
    {
        var catalog = new McpCatalog(
            [],
            [new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: Returns(new string('r', 4096)))],
            [new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: Returns(new string('p', 4096)))],
            _ => []);
        var services = Services();

        var read = await Assert.ThrowsAsync<McpLimitExceededException>(async () =>
            await new McpReadResourceHandler(catalog, services, new QsSender()).Handle(new McpReadResource("docs://1"), CancellationToken.None));
        var prompt = await Assert.ThrowsAsync<McpLimitExceededException>(async () =>
            await new McpPromptsHandler(catalog, new McpServerInfo(), services, new QsSender()).Handle(new McpGetPrompt("summarize", new Dictionary<string, string> { ["topic"] = "x" }), CancellationToken.None));

        foreach (var error in new[] { read, prompt })
        {
            Assert.Equal("Mcp:Limits:MaxToolResultBytes", error.Limit);
            Assert.Equal(2048, error.Max);
            Assert.False(error.IsRate);
        }
    }

    [Fact]
    public void The_attributes_timeout_and_public_reach_the_binding()
    {
        var catalog = new McpCatalog(new McpCatalogBuilder().AddToolsFromAssembly(typeof(OutboundLimitsTests).Assembly).Tools, _ => []);

        Assert.True(catalog.TryGetTool("ol_attributed", out var tool));
        Assert.Equal(TimeSpan.FromSeconds(5), tool.Timeout);
        Assert.True(tool.IsPublic);
        Assert.True(catalog.TryGetTool("ol_attributed_selector", out var selector));
        Assert.Equal(TimeSpan.FromSeconds(7), selector.Timeout);
        Assert.True(selector.IsPublic);
        Assert.True(catalog.TryGetTool("perm_open", out var plain));
        Assert.Null(plain.Timeout);
        Assert.False(plain.IsPublic);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(86_401)]
    public void A_tool_timeout_that_is_not_positive_or_over_a_day_stops_the_start_naming_the_tool(int seconds)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new McpCatalog([new ToolRegistration(typeof(OlEcho), "echo", Timeout: TimeSpan.FromSeconds(seconds))], _ => []));

        Assert.Contains("'echo'", error.Message, StringComparison.Ordinal);
    }

    private sealed class CountingFormatter : IOutputFormatter
    {
        public int Calls { get; private set; }

        public FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null)
        {
            Calls++;
            return FormattedOutput.Json(value);
        }
    }

    private sealed class RunningTask : IMcpTaskContext
    {
        public string TaskId => "t";

        public string Owner => "alice";

        public ValueTask ReportAsync(string statusMessage, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, McpCqrs.Mcp.Context.InputRequest> requests, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
