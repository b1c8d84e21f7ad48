using System.Collections.Concurrent;
using System.Text.Json;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Resources, prompts, completion and subscriptions of the sample desk, on PostgreSQL, with the official C# client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ResourcePromptCompletionTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ConcurrentQueue<JsonRpcNotification> _notifications = new();
    private readonly SemaphoreSlim _notified = new(0);
    private string _database = null!;
    private TestHost _host = null!;
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _host = await TestHost.StartOnPostgresAsync(_database, seed: true);
        _client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(_host.Address, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers
                {
                    NotificationHandlers =
                    [
                        new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(NotificationMethods.ResourceUpdatedNotification, Record),
                        new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>("notifications/test/ready", Record),
                    ],
                },
            });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
        await postgres.DropDatabaseAsync(_database);
    }

    private ValueTask Record(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        _notifications.Enqueue(notification);
        _notified.Release();
        return ValueTask.CompletedTask;
    }

    private async Task<JsonRpcNotification> NotificationAsync(Func<JsonRpcNotification, bool> match)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (_notifications.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await _notified.WaitAsync(timeout.Token);
        }
    }

    [Fact]
    public async Task Resource_templates_are_listed_and_read_with_typed_variables()
    {
        var templates = await _client.ListResourceTemplatesAsync();

        Assert.Contains(templates, t => t.UriTemplate == "tickets://{id}");
        Assert.Contains(templates, t => t.UriTemplate == "customers://{id}");
        var read = await _client.ReadResourceAsync("tickets://1");
        var contents = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.Equal("tickets://1", contents.Uri);
        Assert.Equal("application/json", contents.MimeType);
        var ticket = JsonDocument.Parse(contents.Text).RootElement;
        Assert.Equal(1, ticket.GetProperty("id").GetInt32());
        Assert.Equal("Cannot log in after password reset", ticket.GetProperty("title").GetString());
    }

    [Fact]
    public async Task An_unknown_resource_is_32002_with_the_uri()
    {
        var missing = await Assert.ThrowsAsync<McpProtocolException>(async () => await _client.ReadResourceAsync("tickets://424242"));
        var unmatched = await Assert.ThrowsAsync<McpProtocolException>(async () => await _client.ReadResourceAsync("nothing://here"));

        Assert.Equal(McpErrorCode.ResourceNotFound, missing.ErrorCode);
        Assert.Equal(McpErrorCode.ResourceNotFound, unmatched.ErrorCode);
    }

    [Fact]
    public async Task A_template_variable_of_the_wrong_type_is_invalid_params()
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await _client.ReadResourceAsync("tickets://abc"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Fact]
    public async Task The_triage_prompt_embeds_the_ticket_resource()
    {
        var prompts = await _client.ListPromptsAsync();
        var triage = Assert.Single(prompts, p => p.Name == "triage_ticket");
        var argument = Assert.Single(triage.ProtocolPrompt.Arguments!);
        Assert.Equal("ticketId", argument.Name);
        Assert.True(argument.Required);

        var result = await _client.GetPromptAsync("triage_ticket", new Dictionary<string, object?> { ["ticketId"] = "3" });

        var embedded = Assert.IsType<EmbeddedResourceBlock>(result.Messages[0].Content);
        Assert.Equal("tickets://3", embedded.Resource.Uri);
        Assert.Contains("CSV export", ((TextResourceContents)embedded.Resource).Text, StringComparison.Ordinal);
        Assert.Contains("tickets://3", Assert.IsType<TextContentBlock>(result.Messages[1].Content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prompt_without_its_required_argument_is_invalid_params_naming_it()
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await _client.GetPromptAsync("triage_ticket"));
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(async () => await _client.GetPromptAsync("no_such_prompt"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("ticketId", error.Message, StringComparison.Ordinal);
        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
    }

    [Fact]
    public async Task Customer_ids_are_completed_by_name_or_id_prefix()
    {
        var reference = new ResourceTemplateReference { Uri = "customers://{id}" };

        var byName = await _client.CompleteAsync(reference, "id", "gra");
        var byId = await _client.CompleteAsync(reference, "id", "3");
        var none = await _client.CompleteAsync(reference, "id", "zzz");

        Assert.Equal(["2"], byName.Completion.Values);
        Assert.Equal(["3"], byId.Completion.Values);
        Assert.Empty(none.Completion.Values);
    }

    [Fact]
    public async Task A_subscribed_ticket_changed_by_a_tool_call_sends_an_update()
    {
        // Make sure the session's GET stream is open before the notification is due.
        await _host.Services.GetRequiredService<McpCqrs.Mcp.Context.IMcpNotifier>()
            .NotifyAsync(_client.SessionId!, new JsonRpcNotification { Method = "notifications/test/ready" });
        await NotificationAsync(n => n.Method == "notifications/test/ready");
        await _client.SubscribeToResourceAsync("tickets://2");

        await _client.CallToolAsync("assign_ticket", new Dictionary<string, object?> { ["ticketId"] = 2, ["assignee"] = "kim" });
        await _client.CallToolAsync("assign_ticket", new Dictionary<string, object?> { ["ticketId"] = 1, ["assignee"] = "kim" });

        var update = await NotificationAsync(n => n.Method == NotificationMethods.ResourceUpdatedNotification);
        Assert.Equal("tickets://2", update.Params!["uri"]!.GetValue<string>());
        await _client.UnsubscribeFromResourceAsync("tickets://2");
        Assert.DoesNotContain(_notifications, n => n.Params?["uri"]?.GetValue<string>() == "tickets://1");
    }

    private async Task<JsonElement> ListAsync(Dictionary<string, object?> arguments)
    {
        var result = await _client.CallToolAsync("list_tickets", arguments);
        Assert.True(result.IsError != true, ((TextContentBlock)result.Content[0]).Text);
        return result.StructuredContent!.Value;
    }

    private static int[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt32())];

    [Fact]
    public async Task The_selector_tool_describes_its_fields_and_operators()
    {
        var tool = Assert.Single(await _client.ListToolsAsync(), t => t.Name == "list_tickets");
        var properties = tool.ProtocolTool.InputSchema.GetProperty("properties");

        Assert.True(tool.ProtocolTool.Annotations!.ReadOnlyHint);
        Assert.Contains("customer.name", properties.GetProperty("filter").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("=*", properties.GetProperty("filter").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("Sortable", properties.GetProperty("orderBy").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(100, properties.GetProperty("pageSize").GetProperty("maximum").GetInt32());
        var output = tool.ProtocolTool.OutputSchema!.Value.GetProperty("properties");
        Assert.Equal(["hasNext", "items", "page", "pageSize", "totalItems", "totalPages"], output.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_selector_filters_orders_and_pages_in_the_database()
    {
        // The sample desk: 1 login (High, InProgress, sam), 2 invoice (Normal, Open), 3 export (Urgent, Open, kim),
        // 4 dark mode (Low, WaitingOnCustomer), 5 typo (Low, Closed, sam), 6 api (High, Open).
        Assert.Equal(new[] { 3, 6, 1 }, Ids(await ListAsync(new() { ["filter"] = "priority>=High", ["orderBy"] = "priority desc, id desc" })));
        Assert.Equal(new[] { 1, 5 }, Ids(await ListAsync(new() { ["filter"] = "assignee=sam", ["orderBy"] = "id" })));
        Assert.Equal(new[] { 2, 4, 6 }, Ids(await ListAsync(new() { ["filter"] = "assignee=null", ["orderBy"] = "id" })));
        Assert.Equal(new[] { 1, 2 }, Ids(await ListAsync(new() { ["filter"] = "customer.name^ada/i", ["orderBy"] = "id" })));
        Assert.Equal(new[] { 3 }, Ids(await ListAsync(new() { ["filter"] = "title=*csv/i" })));
        Assert.Equal(new[] { 2 }, Ids(await ListAsync(new() { ["filter"] = "tags=billing" })));
        // ',' and '|' are read left to right: (status=Closed|priority=Urgent),assignee=kim
        Assert.Equal(new[] { 3 }, Ids(await ListAsync(new() { ["filter"] = "status=Closed|priority=Urgent,assignee=kim", ["orderBy"] = "id" })));
        Assert.Equal(new[] { 3, 5 }, Ids(await ListAsync(new() { ["filter"] = "status=Closed|(priority=Urgent,assignee=kim)", ["orderBy"] = "id" })));

        var first = await ListAsync(new() { ["orderBy"] = "id", ["page"] = 1, ["pageSize"] = 4 });
        var second = await ListAsync(new() { ["orderBy"] = "id", ["page"] = 2, ["pageSize"] = 4 });
        Assert.Equal(new[] { 1, 2, 3, 4 }, Ids(first));
        Assert.Equal(new[] { 5, 6 }, Ids(second));
        Assert.Equal(6, first.GetProperty("totalItems").GetInt32());
        Assert.Equal(2, first.GetProperty("totalPages").GetInt32());
        Assert.True(first.GetProperty("hasNext").GetBoolean());
        Assert.False(second.GetProperty("hasNext").GetBoolean());
    }

    [Theory]
    [InlineData("colour=red", "filter", "colour")]
    [InlineData("priority=Extreme", "filter", "Extreme")]
    [InlineData("(status=Open", "filter", "')'")]
    [InlineData("id=abc", "filter", "abc")]
    public async Task A_bad_filter_is_a_tool_error_naming_the_problem_and_its_position(string filter, string field, string mentioned)
    {
        var result = await _client.CallToolAsync("list_tickets", new Dictionary<string, object?> { ["filter"] = filter });

        Assert.True(result.IsError);
        var error = JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement.GetProperty("error");
        Assert.Equal("validation_error", error.GetProperty("type").GetString());
        var first = error.GetProperty("fields")[0];
        Assert.Equal(field, first.GetProperty("field").GetString());
        Assert.Contains(mentioned, first.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_order_field_and_a_page_size_over_the_maximum_are_tool_errors()
    {
        var order = await _client.CallToolAsync("list_tickets", new Dictionary<string, object?> { ["orderBy"] = "secret desc" });
        var size = await _client.CallToolAsync("list_tickets", new Dictionary<string, object?> { ["pageSize"] = 1000 });

        Assert.True(order.IsError);
        Assert.Contains("orderBy", ((TextContentBlock)order.Content[0]).Text, StringComparison.Ordinal);
        Assert.True(size.IsError);
        Assert.Contains("pageSize", ((TextContentBlock)size.Content[0]).Text, StringComparison.Ordinal);
    }
}
