using System.Text.Json;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// The official C# client (NuGet ModelContextProtocol) in its 2026-07-28 mode and its 2025-11-25 mode against the
/// same host: tools, resources, prompts, and the sample's confirmation through <c>IClientInput</c> in both eras.
/// A host per test (the sample data is seeded per host, and closing a ticket changes it).
/// </summary>
public sealed class StatelessClientTests : IAsyncLifetime
{
    public const string Stateless = "2026-07-28";
    public const string Sessions = "2025-11-25";

    /// <summary>Ticket 1 of the sample data ("Cannot log in after password reset", in progress) has a comment.</summary>
    private const int TicketWithComment = 1;

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<McpClient> ConnectAsync(string version, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicit = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_host.Address, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        });
        var client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = version,
            ClientInfo = new Implementation { Name = "stateless-client-tests", Version = "1.0.0" },
            Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability() },
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = elicit ?? ((_, _) => throw new InvalidOperationException("No elicitation was expected.")),
            },
        });
        Assert.Equal(version, client.NegotiatedProtocolVersion);
        if (version == Stateless)
        {
            Assert.Null(client.SessionId);
        }
        else
        {
            Assert.NotNull(client.SessionId);
        }

        return client;
    }

    private async Task<string> StatusOfAsync(int ticketId)
    {
        await using var client = await ConnectAsync(Stateless);
        var result = await client.CallToolAsync("get_ticket", new Dictionary<string, object?> { ["id"] = ticketId });
        Assert.NotEqual(true, result.IsError);
        return result.StructuredContent!.Value.GetProperty("status").GetString()!;
    }

    private static Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>> Answer(ElicitResult answer, Action<ElicitRequestParams?> seen) =>
        (request, _) =>
        {
            seen(request);
            return ValueTask.FromResult(answer);
        };

    [Fact]
    public async Task Both_eras_list_tools_call_a_tool_read_a_resource_and_get_a_prompt_on_the_same_host()
    {
        await using var modern = await ConnectAsync(Stateless);
        await using var legacy = await ConnectAsync(Sessions);

        foreach (var client in (McpClient[])[modern, legacy])
        {
            var era = client.NegotiatedProtocolVersion;
            var tools = await client.ListToolsAsync();
            Assert.Contains(tools, t => t.Name == "get_ticket");
            Assert.Contains(tools, t => t.Name == "close_ticket");

            var ticket = await client.CallToolAsync("get_ticket", new Dictionary<string, object?> { ["id"] = 1 });
            Assert.True(ticket.IsError != true, era);
            Assert.Equal(1, ticket.StructuredContent!.Value.GetProperty("id").GetInt32());
            Assert.Equal("Cannot log in after password reset", ticket.StructuredContent.Value.GetProperty("title").GetString());

            var resource = await client.ReadResourceAsync("tickets://1");
            var contents = Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents));
            Assert.Equal("tickets://1", contents.Uri);
            Assert.Contains("Cannot log in after password reset", contents.Text, StringComparison.Ordinal);

            var prompt = await client.GetPromptAsync("triage_ticket", new Dictionary<string, object?> { ["ticketId"] = "1" });
            Assert.NotEmpty(prompt.Messages);
            var embedded = Assert.Single(prompt.Messages.Select(m => m.Content).OfType<EmbeddedResourceBlock>());
            Assert.Equal("tickets://1", embedded.Resource.Uri);
        }
    }

    [Theory]
    [InlineData(Stateless)]
    [InlineData(Sessions)]
    public async Task Closing_a_ticket_with_comments_asks_for_confirmation_and_closes_it_when_accepted(string version)
    {
        var asked = new List<ElicitRequestParams?>();
        var accept = new ElicitResult
        {
            Action = "accept",
            Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonSerializer.SerializeToElement(true) },
        };
        await using var client = await ConnectAsync(version, Answer(accept, r => { lock (asked) { asked.Add(r); } }));

        var result = await client.CallToolAsync("close_ticket", new Dictionary<string, object?> { ["ticketId"] = TicketWithComment, ["resolution"] = "Sent a fresh reset link." });

        Assert.True(result.IsError != true, JsonSerializer.Serialize(result.Content));
        Assert.Equal("Closed", result.StructuredContent!.Value.GetProperty("status").GetString());
        var request = Assert.Single(asked);
        Assert.Contains($"Close ticket {TicketWithComment}", request?.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await StatusOfAsync(TicketWithComment));
    }

    [Theory]
    [InlineData(Stateless)]
    [InlineData(Sessions)]
    public async Task Closing_a_ticket_with_comments_that_the_user_declines_is_a_tool_error_and_leaves_it_open(string version)
    {
        var asked = 0;
        await using var client = await ConnectAsync(version, Answer(new ElicitResult { Action = "decline" }, _ => Interlocked.Increment(ref asked)));
        var before = await StatusOfAsync(TicketWithComment);

        var result = await client.CallToolAsync("close_ticket", new Dictionary<string, object?> { ["ticketId"] = TicketWithComment, ["resolution"] = "Sent a fresh reset link." });

        Assert.True(result.IsError);
        Assert.Contains("close_declined", Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);
        Assert.Equal(1, asked);
        Assert.NotEqual("Closed", before);
        Assert.Equal(before, await StatusOfAsync(TicketWithComment));
    }

    [Theory]
    [InlineData(Stateless)]
    [InlineData(Sessions)]
    public async Task Closing_a_ticket_without_comments_asks_nothing(string version)
    {
        var asked = 0;
        await using var client = await ConnectAsync(version, Answer(new ElicitResult { Action = "decline" }, _ => Interlocked.Increment(ref asked)));

        // Ticket 2 of the sample data ("Invoice shows the wrong VAT rate") has no comments.
        var result = await client.CallToolAsync("close_ticket", new Dictionary<string, object?> { ["ticketId"] = 2, ["resolution"] = "Rate corrected." });

        Assert.True(result.IsError != true, JsonSerializer.Serialize(result.Content));
        Assert.Equal(0, asked);
        Assert.Equal("Closed", await StatusOfAsync(2));
    }
}
