using McpCqrs.Application.Common;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Apps;
using McpCqrs.Mcp.Catalog;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Web.Apps;

/// <summary>
/// The ticket board: an MCP App view of <c>list_tickets</c> (a table with a Gridify filter, and buttons that assign
/// or close a ticket through the host). Its page is built by npm from <c>Apps/ticket-board</c> into one HTML file
/// and embedded in this assembly; a build without Node.js embeds nothing, and the view then says how to build it.
/// </summary>
public static class TicketBoardApp
{
    public const string Uri = "ui://desk/ticket-board";

    /// <summary>The embedded resource that holds the built page.</summary>
    public const string ResourceName = "ticket-board.html";

    public static IServiceCollection AddTicketBoardApp(this IServiceCollection services) =>
        services.AddMcpCatalog(catalog => catalog.AddTicketBoard());

    /// <summary>Adds the view to <paramref name="catalog"/> (which <c>list_tickets</c> links to: a catalog of the sample needs it).</summary>
    public static McpCatalogBuilder AddTicketBoard(this McpCatalogBuilder catalog) =>
        catalog.AddApp(Uri, "ticket-board", Html(typeof(TicketBoardApp).Assembly), app => app with
        {
            Title = "Ticket board",
            Description = "The tickets of list_tickets as a table: filter them, assign or close one.",
            PrefersBorder = true,
            Icons = [new Icon { Source = DeskIcons.Ticket, MimeType = DeskIcons.MimeType, Sizes = ["any"] }],
        });

    /// <summary>The page embedded in <paramref name="assembly"/>, or <see cref="NotBuilt"/> when it has none.</summary>
    internal static Func<IServiceProvider, CancellationToken, ValueTask<string>> Html(System.Reflection.Assembly assembly) =>
        assembly.GetManifestResourceInfo(ResourceName) is null
            ? (_, _) => ValueTask.FromResult(NotBuilt)
            : McpAppRegistration.Embedded(assembly, ResourceName);

    /// <summary>What the view shows when the assembly was built without Node.js.</summary>
    internal const string NotBuilt = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Ticket board</title></head>
        <body style="font-family: system-ui, sans-serif; padding: 1em">
        <h1 style="font-size: 1.1em">The ticket board was not built</h1>
        <p>This server was built without Node.js, so its ticket board page is missing. Install Node.js 20 or later,
        then build again (<code>dotnet build src/Mcp.Web</code> runs <code>npm ci</code> and <code>npm run build</code>
        in <code>src/Mcp.Web/Apps/ticket-board</code>).</p>
        </body>
        </html>
        """;
}
