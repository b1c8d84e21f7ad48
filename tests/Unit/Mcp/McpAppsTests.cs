using System.Text.Json;
using Mediator;
using McpCqrs.Mcp.Apps;
using McpCqrs.Mcp.Catalog;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>MCP Apps views in the catalog: the ui:// resource, its _meta.ui, the tools linked to it.</summary>
public sealed class McpAppsTests
{
    private static McpCatalog CatalogOf(McpCatalogBuilder builder) => new(builder.Tools, builder.Resources, builder.Prompts, _ => []);

    private static McpCatalogBuilder Board(Func<McpAppRegistration, McpAppRegistration>? configure = null) =>
        new McpCatalogBuilder().AddApp("ui://desk/board", "board", (_, _) => ValueTask.FromResult("<html>board</html>"), configure);

    [Fact]
    public void A_view_is_a_listed_resource_with_the_app_media_type_and_its_sandbox_settings()
    {
        var catalog = CatalogOf(Board(a => a with { Title = "Board", PrefersBorder = true, ConnectDomains = ["https://api.example.com"], Domain = "board.example.com" }));

        var resource = Assert.Single(catalog.Resources).Resource!;
        Assert.Equal(("ui://desk/board", "board", "Board", McpApps.MimeType), (resource.Uri, resource.Name, resource.Title, resource.MimeType));
        var ui = resource.Meta!["ui"]!;
        Assert.True(ui["prefersBorder"]!.GetValue<bool>());
        Assert.Equal("board.example.com", ui["domain"]!.GetValue<string>());
        Assert.Equal(["https://api.example.com"], ui["csp"]!["connectDomains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Empty(ui["csp"]!["resourceDomains"]!.AsArray());
        Assert.True(Assert.Single(catalog.Resources).IsPublic);
    }

    [Fact]
    public async Task Reading_a_view_renders_its_document_with_its_meta()
    {
        var builder = Board(a => a with { PrefersBorder = false });
        var contents = await new McpAppDocumentHandler(builder, new ServiceCollection().BuildServiceProvider())
            .Handle(new McpAppDocument { Uri = "ui://desk/board" }, CancellationToken.None);
        var missing = new McpAppDocumentHandler(builder, new ServiceCollection().BuildServiceProvider())
            .Handle(new McpAppDocument { Uri = "ui://desk/nothing" }, CancellationToken.None);

        Assert.Equal(("ui://desk/board", McpApps.MimeType, "<html>board</html>"), (contents.Uri, contents.MimeType, contents.Text));
        Assert.False(contents.Meta!["ui"]!["prefersBorder"]!.GetValue<bool>());
        var notFound = await Assert.ThrowsAsync<McpCqrs.Mcp.Exceptions.ApplicationErrorException>(() => missing.AsTask());
        Assert.Equal(McpCqrs.Mcp.Exceptions.ApplicationErrorKind.NotFound, notFound.Error.Kind);
    }

    [Fact]
    public void A_tool_marked_with_a_view_links_to_it_and_an_app_only_tool_says_so()
    {
        var builder = Board().AddTool(new ToolRegistration(typeof(ShowsBoard), "show_board", Meta: McpDecorations.MetaOf(typeof(ShowsBoard))))
            .AddTool(new ToolRegistration(typeof(BoardOnly), "board_only", Meta: McpDecorations.MetaOf(typeof(BoardOnly))));
        var catalog = CatalogOf(builder);

        Assert.True(catalog.TryGetTool("show_board", out var shown));
        Assert.True(catalog.TryGetTool("board_only", out var appOnly));
        Assert.Equal("ui://desk/board", shown.Tool.Meta!["ui"]!["resourceUri"]!.GetValue<string>());
        Assert.Equal(["model", "app"], shown.Tool.Meta["ui"]!["visibility"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["app"], appOnly.Tool.Meta!["ui"]!["visibility"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public void A_tool_linked_to_a_view_that_is_not_registered_stops_the_start()
    {
        var builder = new McpCatalogBuilder().AddTool(new ToolRegistration(typeof(ShowsBoard), "show_board", Meta: McpApps.ToolMeta("ui://desk/missing")));

        var error = Assert.Throws<InvalidOperationException>(() => CatalogOf(builder));

        Assert.Contains("MCP tool 'show_board'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'ui://desk/missing', which is not registered", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://desk.example.com/board")]
    [InlineData("ui://desk/{id}")]
    public void A_view_needs_a_fixed_ui_uri(string uri)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new McpCatalogBuilder().AddApp(uri, "board", (_, _) => ValueTask.FromResult(string.Empty)));

        Assert.Contains($"its URI '{uri}' must be a fixed ui:// URI", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}""", true)]
    [InlineData("""{"extensions":{"io.modelcontextprotocol/ui":{}}}""", true)]
    [InlineData("""{"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/uri-list"]}}}""", false)]
    [InlineData("""{"extensions":{"io.modelcontextprotocol/tasks":{}}}""", false)]
    [InlineData("{}", false)]
    public void A_client_takes_apps_when_it_declares_the_extension_for_html_views(string capabilities, bool takes) =>
        Assert.Equal(takes, McpApps.ClientTakesApps(JsonSerializer.Deserialize<ClientCapabilities>(capabilities, McpJsonUtilities.DefaultOptions)));

    [Fact]
    public async Task Embedded_html_is_read_from_the_assembly_and_a_missing_name_lists_the_known_ones()
    {
        var missing = McpAppRegistration.Embedded(typeof(McpAppsTests).Assembly, "no-such.html");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => missing(new ServiceCollection().BuildServiceProvider(), CancellationToken.None).AsTask());

        Assert.Contains("has no embedded resource 'no-such.html'", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Shows the board.</summary>
[McpAppView("ui://desk/board")]
public sealed record ShowsBoard : IQuery<string>;

/// <summary>Called by the board only.</summary>
[McpAppView("ui://desk/board", AppOnly = true)]
public sealed record BoardOnly : ICommand<string>;
