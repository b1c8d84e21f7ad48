using System.Collections.Concurrent;
using System.Text.Json;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>The official MCP C# client (NuGet ModelContextProtocol) against the real host over real HTTP.</summary>
public sealed class McpClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ConcurrentQueue<JsonRpcNotification> _notifications = new();
    private readonly SemaphoreSlim _notified = new(0);
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(services => services.AddConformanceFixtures());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<McpClient> ConnectAsync(string? protocolVersion = "2025-11-25")
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_host.Address, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = protocolVersion,
            ClientInfo = new Implementation { Name = "mcpcqrs-tests", Version = "1.0.0" },
            Capabilities = new ClientCapabilities { Sampling = new SamplingCapability(), Elicitation = new ElicitationCapability() },
            Handlers = new McpClientHandlers
            {
                NotificationHandlers =
                [
                    new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(NotificationMethods.LoggingMessageNotification, Record),
                    new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(NotificationMethods.ToolListChangedNotification, Record),
                    new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>("notifications/test/hello", Record),
                ],
                SamplingHandler = (request, _, _) => ValueTask.FromResult(new CreateMessageResult
                {
                    Model = "test-model",
                    Role = Role.Assistant,
                    Content = [new TextContentBlock { Text = $"echo {((TextContentBlock)request!.Messages[0].Content[0]).Text}" }],
                }),
                ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement>
                    {
                        ["username"] = JsonSerializer.SerializeToElement("ada"),
                        ["email"] = JsonSerializer.SerializeToElement("ada@example.com"),
                    },
                }),
            },
        });
    }

    private ValueTask Record(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        _notifications.Enqueue(notification);
        _notified.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits (bounded) until a notification of <paramref name="method"/> has arrived.</summary>
    private async Task<JsonRpcNotification> NotificationAsync(string method) => (await NotificationsAsync(method, 1))[0];

    /// <summary>
    /// Waits (bounded) until <paramref name="count"/> notifications of <paramref name="method"/> have arrived: the
    /// client dispatches notifications on its own schedule, possibly after the call they came with returned.
    /// </summary>
    private async Task<List<JsonRpcNotification>> NotificationsAsync(string method, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var found = _notifications.Where(n => n.Method == method).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            await _notified.WaitAsync(timeout.Token);
        }
    }

    [Fact]
    public async Task The_client_lists_the_tools_with_their_schemas_and_hints()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync();

        Assert.Equal("2025-11-25", client.NegotiatedProtocolVersion);
        var create = Assert.Single(tools, t => t.Name == "create_ticket");
        Assert.Equal("Opens a new ticket for an existing customer.", create.Description);
        var schema = create.ProtocolTool.InputSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["customerId", "title"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(200, schema.GetProperty("properties").GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.False(create.ProtocolTool.Annotations!.ReadOnlyHint);
        Assert.True(Assert.Single(tools, t => t.Name == "get_ticket").ProtocolTool.Annotations!.ReadOnlyHint);
        Assert.NotNull(create.ProtocolTool.OutputSchema);
    }

    [Fact]
    public async Task A_tool_call_runs_the_command_and_returns_structured_content()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync("create_customer", new Dictionary<string, object?> { ["name"] = "Grace", ["email"] = "grace@example.com" });

        Assert.NotEqual(true, result.IsError);
        var customer = result.StructuredContent!.Value;
        Assert.Equal("grace@example.com", customer.GetProperty("email").GetString());
        Assert.Equal(customer.GetRawText(), Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);

        var read = await client.CallToolAsync("get_customer", new Dictionary<string, object?> { ["id"] = customer.GetProperty("id").GetInt32() });
        Assert.Equal("Grace", read.StructuredContent!.Value.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Invalid_arguments_and_domain_errors_are_tool_errors_the_model_can_read()
    {
        await using var client = await ConnectAsync();

        var invalid = await client.CallToolAsync("create_ticket", new Dictionary<string, object?> { ["customerId"] = 1, ["title"] = "" });
        var unknown = await client.CallToolAsync("create_ticket", new Dictionary<string, object?> { ["customerId"] = 1, ["title"] = "t", ["colour"] = "red" });
        var missing = await client.CallToolAsync("get_ticket", new Dictionary<string, object?> { ["id"] = 999 });

        Assert.True(invalid.IsError);
        var error = JsonDocument.Parse(((TextContentBlock)invalid.Content[0]).Text).RootElement.GetProperty("error");
        Assert.Equal("validation_error", error.GetProperty("type").GetString());
        Assert.Equal("title", error.GetProperty("fields")[0].GetProperty("field").GetString());
        Assert.True(unknown.IsError);
        Assert.Contains("colour", ((TextContentBlock)unknown.Content[0]).Text, StringComparison.Ordinal);
        Assert.True(missing.IsError);
        Assert.Contains("not_found", ((TextContentBlock)missing.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_and_log_notifications_reach_the_client()
    {
        await using var client = await ConnectAsync();
        await client.SetLoggingLevelAsync(LoggingLevel.Debug);
        var progress = new ConcurrentQueue<ProgressNotificationValue>();
        var reported = new SemaphoreSlim(0);

        await client.CallToolAsync("test_tool_with_progress", progress: new SynchronousProgress(p => { progress.Enqueue(p); reported.Release(); }));
        await client.CallToolAsync("test_tool_with_logging");

        using var timeout = new CancellationTokenSource(Patience);
        for (var i = 0; i < 3; i++)
        {
            await reported.WaitAsync(timeout.Token);
        }

        Assert.Equal([0d, 50d, 100d], progress.Select(p => (double)p.Progress));
        var logs = await NotificationsAsync(NotificationMethods.LoggingMessageNotification, 3);
        Assert.Equal(3, logs.Count);
        Assert.Equal(
            ["Tool execution started", "Tool processing data", "Tool execution completed"],
            logs.Select(l => l.Params!["data"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_log_level_above_the_messages_silences_them()
    {
        await using var client = await ConnectAsync();
        await client.SetLoggingLevelAsync(LoggingLevel.Error);

        await client.CallToolAsync("test_tool_with_logging");

        Assert.DoesNotContain(_notifications, n => n.Method == NotificationMethods.LoggingMessageNotification);
    }

    [Fact]
    public async Task Sampling_and_elicitation_requests_are_answered_by_the_client_mid_call()
    {
        await using var client = await ConnectAsync();

        var sampled = await client.CallToolAsync("test_sampling", new Dictionary<string, object?> { ["prompt"] = "hello" });
        var elicited = await client.CallToolAsync("test_elicitation", new Dictionary<string, object?> { ["message"] = "who are you?" });

        Assert.Equal("LLM response: echo hello", ((TextContentBlock)sampled.Content[0]).Text);
        Assert.Contains("ada@example.com", ((TextContentBlock)elicited.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_stream_the_server_closes_is_resumed_with_Last_Event_ID_and_the_result_arrives()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync("test_reconnection");

        Assert.StartsWith("Reconnection test completed", ((TextContentBlock)result.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifications_pushed_by_the_application_reach_the_session_stream()
    {
        await using var client = await ConnectAsync();
        var notifier = _host.Services.GetRequiredService<IMcpNotifier>();

        Assert.True(await notifier.NotifyAsync(client.SessionId!, new JsonRpcNotification { Method = "notifications/test/hello", Params = new System.Text.Json.Nodes.JsonObject { ["n"] = 1 } }));
        Assert.False(await notifier.NotifyAsync("no-such-session", new JsonRpcNotification { Method = "notifications/test/hello" }));

        var received = await NotificationAsync("notifications/test/hello");
        Assert.Equal(1, received.Params!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task Adding_a_tool_at_run_time_announces_a_tool_list_change()
    {
        await using var client = await ConnectAsync();
        var notifier = _host.Services.GetRequiredService<IMcpNotifier>();
        await notifier.NotifyAsync(client.SessionId!, new JsonRpcNotification { Method = "notifications/test/hello" });
        await NotificationAsync("notifications/test/hello"); // the session's GET stream is open now

        var catalog = _host.Services.GetRequiredService<McpCatalog>();
        catalog.AddTool(new ToolRegistration(typeof(TestSimpleText), "late_tool", Description: "Added while running", Public: true));
        try
        {
            await NotificationAsync(NotificationMethods.ToolListChangedNotification);
            Assert.Contains(await client.ListToolsAsync(), t => t.Name == "late_tool");
        }
        finally
        {
            catalog.RemoveTool("late_tool");
        }
    }

    [Fact]
    public async Task A_client_that_does_not_pin_a_version_discovers_and_speaks_the_stateless_revision()
    {
        await using var client = await ConnectAsync(protocolVersion: null);

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Null(client.SessionId);
        Assert.NotEmpty(await client.ListToolsAsync());
        var customer = await client.CallToolAsync("get_customer", new Dictionary<string, object?> { ["id"] = 1 });
        Assert.Equal("Ada Lovelace", customer.StructuredContent!.Value.GetProperty("name").GetString());
    }

    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
