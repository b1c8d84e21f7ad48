using System.Collections.Concurrent;
using System.Text.Json;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>Resources, prompts, completion and subscriptions of the sample desk, on PostgreSQL, with the official C# client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class QuerySideTests(PostgresServer postgres) : IAsyncLifetime
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
        await _host.Services.GetRequiredService<McpCqrs.Application.Mcp.Context.IMcpNotifier>()
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
}
