using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Domain.Tickets;
using McpCqrs.Tests.Integration.Support;
using McpCqrs.Web.Apps;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace McpCqrs.Tests.Integration.Apps;

/// <summary>
/// The sample's ticket board as a user of an MCP Apps host sees it: Chromium (driven by Playwright) opens a minimal
/// host page (<c>Apps/host-page</c>, ext-apps' <c>AppBridge</c>) served by the running server itself; the page calls
/// <c>list_tickets</c>, reads the view it links to and renders it in a sandboxed frame, where the board calls the
/// server's tools through the bridge.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TicketBoardBrowserTests(PostgresServer postgres)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string HostPagePath = "/apps-test-host";

    private static readonly string HostPageProject = Path.Combine(Repository.Root, "tests", "Integration", "Apps", "host-page");

    [Fact]
    public async Task The_board_lists_the_seeded_tickets_filters_them_and_assigns_and_closes_through_the_host()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not installed at {Chromium}: run 'apt-get install chromium' (bash .ci/run does).");
        var hostPage = Path.Combine(HostPageProject, "dist", "host.html");
        Assert.True(
            File.Exists(hostPage),
            $"The MCP Apps test host page is not built ({hostPage}): put Node.js 20+ on PATH and build tests/Integration again, or run 'npm ci && npm run build' in {HostPageProject}.");
        Assert.True(
            typeof(TicketBoardApp).Assembly.GetManifestResourceInfo(TicketBoardApp.ResourceName) is not null,
            "McpCqrs.Mcp.Web was built without the ticket board: put Node.js 20+ on PATH and build src/Mcp.Web again (it runs npm in src/Mcp.Web/Apps/ticket-board).");

        var database = await postgres.CreateDatabaseAsync();
        try
        {
            var html = await File.ReadAllTextAsync(hostPage);
            await using var host = await TestHost.StartOnPostgresAsync(
                database,
                seed: true,
                services: s => s.AddSingleton<IStartupFilter>(new HostPageFilter(html)));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 560 } });
            var consoleErrors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    consoleErrors.Add($"{message.Text} ({message.Location})");
                }
            };

            await page.GotoAsync(new Uri(host.Address, HostPagePath + "?tool=list_tickets").AbsoluteUri);
            await page.WaitForSelectorAsync("body[data-host='ready'], body[data-host='error']");
            Assert.True(
                await page.GetAttributeAsync("body", "data-host") == "ready",
                $"The host page failed: {await page.TextContentAsync("#log")}\n{string.Join("\n", consoleErrors)}");

            // The view is rendered from the result of the call that opened it: the seeded tickets, newest change first.
            var view = page.FrameLocator("#view");
            var board = view.Locator("table#tickets[data-state='ready']");
            await Expect(board).ToBeVisibleAsync();
            var seeded = await TicketsAsync(host, _ => true);
            Assert.Equal(6, seeded.Count);
            Assert.Equal(Rows(seeded), await RenderedRowsAsync(view));

            // A Gridify filter: the board calls list_tickets through the bridge and shows only the open tickets.
            await view.Locator("#filter").FillAsync("status=Open");
            await view.Locator("#apply").ClickAsync();
            await Expect(board).ToBeVisibleAsync();
            var open = await TicketsAsync(host, t => t.Status == TicketStatus.Open);
            Assert.NotEmpty(open);
            Assert.True(open.Count < seeded.Count);
            await Expect(view.Locator("tbody tr")).ToHaveCountAsync(open.Count);
            Assert.Equal(Rows(open), await RenderedRowsAsync(view));
            await Expect(page.Locator("#calls li[data-tool='list_tickets'][data-outcome='ok']")).ToHaveCountAsync(1);

            // A filter the server rejects is shown in the page, and the board keeps what it had.
            await view.Locator("#filter").FillAsync("nosuchfield=1");
            await view.Locator("#apply").ClickAsync();
            await Expect(view.Locator("#error")).ToBeVisibleAsync();
            await Expect(view.Locator("#error")).ToContainTextAsync("nosuchfield");
            await Expect(view.Locator("tbody tr")).ToHaveCountAsync(open.Count);

            // Assign: the row shows the new assignee after the board's refresh, and the database has it.
            await view.Locator("#filter").FillAsync("status=Open");
            await view.Locator("#apply").ClickAsync();
            await Expect(view.Locator("#error")).ToBeHiddenAsync();
            var target = open.First(t => t.Assignee != "dana");
            await view.Locator("#assignee").FillAsync("dana");
            await view.Locator($"tr[data-id='{target.Id}'] button.assign").ClickAsync();
            await Expect(view.Locator($"tr[data-id='{target.Id}'] td.assignee")).ToHaveTextAsync("dana");
            await Expect(page.Locator("#calls li[data-tool='assign_ticket'][data-outcome='ok']")).ToHaveCountAsync(1);
            var assigned = Assert.Single(await TicketsAsync(host, t => t.Id == target.Id));
            Assert.Equal("dana", assigned.Assignee);

            // Close another open ticket: it leaves the filtered board and is closed in the database.
            var closing = open.First(t => t.Id != target.Id);
            await view.Locator($"tr[data-id='{closing.Id}'] button.close").ClickAsync();
            await Expect(view.Locator($"tr[data-id='{closing.Id}']")).ToHaveCountAsync(0);
            await Expect(view.Locator("tbody tr")).ToHaveCountAsync(open.Count - 1);
            await Expect(page.Locator("#calls li[data-tool='close_ticket'][data-outcome='ok']")).ToHaveCountAsync(1);
            Assert.Equal(TicketStatus.Closed, Assert.Single(await TicketsAsync(host, t => t.Id == closing.Id)).Status);

            // The whole board again, for the README's picture.
            await view.Locator("#filter").FillAsync(string.Empty);
            await view.Locator("#apply").ClickAsync();
            await Expect(view.Locator("tbody tr")).ToHaveCountAsync(seeded.Count);
            await Expect(board).ToBeVisibleAsync();
            var screenshot = Path.Combine(Repository.Root, "docs", "images", "ticket-board.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            await page.Locator("#view").ScreenshotAsync(new LocatorScreenshotOptions { Path = screenshot });
            Assert.Empty(consoleErrors);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    private static async Task<List<Ticket>> TicketsAsync(TestHost host, System.Linq.Expressions.Expression<Func<Ticket, bool>> which)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IAppDbContext>();
        return await db.ToListAsync(db.Tickets.Where(which).OrderByDescending(t => t.UpdatedAt).ThenBy(t => t.Id), CancellationToken.None);
    }

    private static List<string> Rows(IEnumerable<Ticket> tickets) =>
        [.. tickets.Select(t => $"{t.Id}|{t.Title}|{t.Status}|{t.Priority}|{t.Assignee}")];

    private static async Task<List<string>> RenderedRowsAsync(IFrameLocator view)
    {
        var rows = new List<string>();
        foreach (var row in await view.Locator("tbody tr").AllAsync())
        {
            var cells = await row.Locator("td").AllTextContentsAsync();
            rows.Add(string.Join("|", cells.Take(5)));
        }

        return rows;
    }

    /// <summary>Serves the host page from the server's own origin (so its calls to <c>/mcp</c> are same-origin).</summary>
    private sealed class HostPageFilter(string html) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(HostPagePath, page => page.Run(context =>
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                return context.Response.WriteAsync(html, context.RequestAborted);
            }));
            next(app);
        };
    }
}
