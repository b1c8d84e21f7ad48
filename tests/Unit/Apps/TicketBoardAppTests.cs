using System.Text.RegularExpressions;
using McpCqrs.Mcp.Apps;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Web.Apps;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Tests.Unit.Apps;

/// <summary>The sample's ticket board view: how it is registered and linked, and that its page needs no other origin.</summary>
public sealed partial class TicketBoardAppTests
{
    private static McpCatalogBuilder Builder()
    {
        var services = new ServiceCollection();
        services.AddTicketBoardApp();
        return (McpCatalogBuilder)services.Single(d => d.ServiceType == typeof(McpCatalogBuilder)).ImplementationInstance!;
    }

    [Fact]
    public void The_board_is_a_bordered_public_view_that_list_tickets_opens()
    {
        var builder = Builder().AddFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        var app = Assert.Single(builder.Apps);
        Assert.Equal(TicketBoardApp.Uri, app.Uri);
        Assert.Equal("Ticket board", app.Title);
        Assert.True(app.PrefersBorder);
        Assert.True(app.Public);
        Assert.Empty(app.ResourceDomains);
        Assert.Empty(app.ConnectDomains);

        var catalog = new McpCatalog(builder.Tools, builder.Resources, builder.Prompts, _ => []);
        Assert.True(catalog.TryGetTool("list_tickets", out var tool));
        Assert.Equal(TicketBoardApp.Uri, tool.Tool.Meta?[McpApps.MetaKey]?["resourceUri"]?.GetValue<string>());
        var view = Assert.Single(catalog.Resources, r => r.UriTemplate == TicketBoardApp.Uri);
        Assert.Equal(McpApps.MimeType, view.MimeType);
    }

    [Fact]
    public async Task The_built_page_is_self_contained_loading_nothing_from_another_origin()
    {
        Assert.True(
            typeof(TicketBoardApp).Assembly.GetManifestResourceInfo(TicketBoardApp.ResourceName) is not null,
            "McpCqrs.Mcp.Web was built without the ticket board: put Node.js 20+ on PATH and build src/Mcp.Web again (it runs npm in src/Mcp.Web/Apps/ticket-board).");
        var html = await Assert.Single(Builder().Apps).Html(new ServiceCollection().BuildServiceProvider(), CancellationToken.None);

        Assert.Contains("<table id=\"tickets\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/*SCRIPT*/", html, StringComparison.Ordinal);
        Assert.Empty(ExternalReferences().Matches(html));
    }

    [Fact]
    public async Task Built_without_Node_the_view_says_how_to_build_it()
    {
        var html = await TicketBoardApp.Html(typeof(TicketBoardAppTests).Assembly)(new ServiceCollection().BuildServiceProvider(), CancellationToken.None);

        Assert.Equal(TicketBoardApp.NotBuilt, html);
        Assert.Contains("Install Node.js 20 or later", html, StringComparison.Ordinal);
    }

    /// <summary>A script, stylesheet, image or frame taken from a URL (an inlined page has none).</summary>
    [GeneratedRegex("""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReferences();
}
