using System.Text.Json.Nodes;
using McpCqrs.Application.Common;
using McpCqrs.Mcp;
using McpCqrs.Tests.Integration.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>
/// Icons and <c>_meta</c> as the official C# client sees them, in both eras: the server's (from <c>Mcp:Server</c>)
/// and those of the sample's selector, resource template and prompt (<c>[McpIcon]</c>), and <c>_meta</c> given to a
/// fluently registered tool, resource and prompt.
/// </summary>
public sealed class IconsAndMetaTests : IAsyncLifetime
{
    private const string ServerIcon = "https://desk.example.com/icon-48.png";
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartOnSqliteAsync(
        services => services.AddMcpCatalog(catalog => catalog
            .AddTool<Application.Tickets.Queries.GetTicket.GetTicket>("ticket_with_meta", t => t with { Meta = new JsonObject { ["com.example/board"] = new JsonObject { ["columns"] = 3 } } })
            .AddResource<Application.Customers.Queries.GetCustomer.GetCustomer>("people://{id}", r => r with { Name = "person", Meta = new JsonObject { ["com.example/kind"] = "person" } })
            .AddPrompt<Application.Tickets.Queries.TriageTicket.TriageTicket>("triage_with_meta", p => p with { Meta = new JsonObject { ["com.example/audience"] = "agents" } })),
        new Dictionary<string, string?>
        {
            ["Mcp:Server:Icons:0:Source"] = ServerIcon,
            ["Mcp:Server:Icons:0:MimeType"] = "image/png",
            ["Mcp:Server:Icons:0:Sizes:0"] = "48x48",
            ["Mcp:Server:Icons:1:Source"] = DeskIcons.Desk,
            ["Mcp:Server:Icons:1:Theme"] = "dark",
            ["Mcp:Server:WebsiteUrl"] = "https://desk.example.com/",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<McpClient> ConnectAsync(string? protocolVersion) => await McpClient.CreateAsync(
        new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(_host.Address, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
        new McpClientOptions { ProtocolVersion = protocolVersion, ClientInfo = new Implementation { Name = "icons-tests", Version = "1.0.0" } });

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData(null)] // the client's default: 2026-07-28, serverInfo from server/discover
    public async Task The_server_introduces_itself_with_its_icons_and_website(string? protocolVersion)
    {
        await using var client = await ConnectAsync(protocolVersion);

        var icons = client.ServerInfo?.Icons ?? throw new Xunit.Sdk.XunitException("serverInfo has no icons");
        Assert.Equal([ServerIcon, DeskIcons.Desk], icons.Select(i => i.Source));
        Assert.Equal("image/png", icons[0].MimeType);
        Assert.Equal(["48x48"], icons[0].Sizes!);
        Assert.Equal("dark", icons[1].Theme);
        Assert.Equal("https://desk.example.com/", client.ServerInfo?.WebsiteUrl);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData(null)]
    public async Task Selectors_resource_templates_and_prompts_are_listed_with_their_icons(string? protocolVersion)
    {
        await using var client = await ConnectAsync(protocolVersion);

        var selector = Assert.Single(await client.ListToolsAsync(), t => t.Name == "list_tickets").ProtocolTool;
        var template = Assert.Single(await client.ListResourceTemplatesAsync(), t => t.Name == "ticket").ProtocolResourceTemplate;
        var prompt = Assert.Single(await client.ListPromptsAsync(), p => p.Name == "triage_ticket").ProtocolPrompt;

        foreach (var icons in new[] { selector.Icons, template.Icons, prompt.Icons })
        {
            var icon = Assert.Single(icons!);
            Assert.Equal((DeskIcons.Ticket, DeskIcons.MimeType), (icon.Source, icon.MimeType));
            Assert.Equal(["any"], icon.Sizes!);
        }
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData(null)]
    public async Task Meta_given_to_a_registration_is_listed_as_given(string? protocolVersion)
    {
        await using var client = await ConnectAsync(protocolVersion);

        var tool = Assert.Single(await client.ListToolsAsync(), t => t.Name == "ticket_with_meta").ProtocolTool;
        var template = Assert.Single(await client.ListResourceTemplatesAsync(), t => t.Name == "person").ProtocolResourceTemplate;
        var prompt = Assert.Single(await client.ListPromptsAsync(), p => p.Name == "triage_with_meta").ProtocolPrompt;

        Assert.Equal(3, tool.Meta?["com.example/board"]?["columns"]?.GetValue<int>());
        Assert.Equal("person", template.Meta?["com.example/kind"]?.GetValue<string>());
        Assert.Equal("agents", prompt.Meta?["com.example/audience"]?.GetValue<string>());
    }
}
