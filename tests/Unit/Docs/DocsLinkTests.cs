using System.Text;
using System.Text.RegularExpressions;

namespace McpCqrs.Tests.Unit.Docs;

/// <summary>
/// The guides under <c>docs/guides/</c> point only at files that exist: every relative Markdown link (and its
/// <c>#anchor</c>, when it names a heading of a Markdown file) and every backticked repository path
/// (<c>src/...</c>, <c>tests/...</c>, <c>docs/...</c>) outside fenced code blocks. Each guide the index promises exists
/// and has a title.
/// </summary>
public sealed partial class DocsLinkTests
{
    /// <summary>The guides that must exist, relative to <c>docs/guides/</c>.</summary>
    public static TheoryData<string> RequiredGuides =>
    [
        "README.md",
        "quickstart.md",
        "concepts.md",
        "troubleshooting.md",
        "recipes/tool.md",
        "recipes/selector.md",
        "recipes/resource-template.md",
        "recipes/prompt.md",
        "recipes/long-running-task.md",
        "recipes/permission-policy.md",
        "recipes/external-identity-provider.md",
        "recipes/scale-out.md",
    ];

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    private static string GuidesFolder => Path.Combine(Root.Value, "docs", "guides");

    [Theory]
    [MemberData(nameof(RequiredGuides))]
    public void Each_guide_exists_and_has_a_title(string guide)
    {
        var path = Path.Combine(GuidesFolder, guide.Replace('/', Path.DirectorySeparatorChar));
        Assert.True(File.Exists(path), $"docs/guides/{guide} does not exist.");
        var firstLine = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
        Assert.True(
            firstLine.StartsWith("# ", StringComparison.Ordinal) && firstLine.Trim().Length > 2,
            $"docs/guides/{guide} does not start with a title ('# ...'); its first line is '{firstLine}'.");
    }

    [Fact]
    public void Every_link_and_repository_path_in_the_guides_exists()
    {
        var guides = Directory.GetFiles(GuidesFolder, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(guides);

        var problems = guides.SelectMany(file => Check(file, File.ReadAllText(file), Root.Value)).ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} broken reference(s) in docs/guides:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public void The_index_links_every_guide()
    {
        var index = File.ReadAllText(Path.Combine(GuidesFolder, "README.md"));
        var linked = Links(index).Select(l => l.Target.Split('#')[0]).ToHashSet(StringComparer.Ordinal);
        var missing = Directory.GetFiles(GuidesFolder, "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(GuidesFolder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => f != "README.md" && !linked.Contains(f))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, $"docs/guides/README.md does not link: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_check_reports_a_broken_link_a_broken_anchor_and_a_missing_path_with_file_and_target()
    {
        var file = Path.Combine(GuidesFolder, "recipes", "example.md");
        const string text = """
            # Example

            See [the concepts](../concepts.md), [nothing](../no-such-guide.md) and [a heading](../concepts.md#no-such-heading).
            The sample is in `src/Application/Tickets/TicketResources.cs`; `src/Application/NoSuchFile.cs` is not.
            [The web](https://example.com/x.md) is not checked, nor is a [local anchor](#example).

            ```csharp
            // src/Application/Tickets/Commands/NotYetWritten/NotYetWritten.cs — code blocks may show files to write
            ```
            """;

        var problems = Check(file, text, Root.Value);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("docs/guides/recipes/example.md", StringComparison.Ordinal) && p.Contains("../no-such-guide.md", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("#no-such-heading", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("src/Application/NoSuchFile.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Heading_anchors_follow_GitHub()
    {
        var anchors = AnchorsOf("# Auth\n## Filtering, ordering and paging\n### Output formats: JSON and TOON\n## Limits\n### Limits\n```\n# not a heading\n```\n");
        Assert.Equal(["auth", "filtering-ordering-and-paging", "output-formats-json-and-toon", "limits", "limits-1"], anchors);
    }

    /// <summary>Every broken reference of one Markdown file, as "file: what — why".</summary>
    internal static List<string> Check(string file, string text, string root)
    {
        var problems = new List<string>();
        var shown = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        var folder = Path.GetDirectoryName(file)!;

        foreach (var (target, line) in Links(text))
        {
            if (IsExternal(target))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var pathPart = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            if (pathPart.Length == 0)
            {
                if (anchor is { Length: > 0 } && !AnchorsOf(text).Contains(anchor))
                {
                    problems.Add($"{shown}:{line}: link ({target}) — no heading with the anchor #{anchor} in this file");
                }

                continue;
            }

            var resolved = Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(pathPart)));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add($"{shown}:{line}: link ({target}) — {Path.GetRelativePath(root, resolved).Replace(Path.DirectorySeparatorChar, '/')} does not exist");
                continue;
            }

            if (anchor is { Length: > 0 } && File.Exists(resolved) && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !AnchorsOf(File.ReadAllText(resolved)).Contains(anchor))
            {
                problems.Add($"{shown}:{line}: link ({target}) — no heading with the anchor #{anchor}");
            }
        }

        foreach (var (path, line) in RepositoryPaths(text))
        {
            var resolved = Path.Combine(root, path.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add($"{shown}:{line}: path `{path}` does not exist in the repository");
            }
        }

        return problems;
    }

    private static bool IsExternal(string target) =>
        target.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Markdown lines outside fenced code blocks, with their 1-based numbers.</summary>
    private static IEnumerable<(string Text, int Line)> ProseLines(string text)
    {
        var fenced = false;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart().StartsWith("~~~", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced)
            {
                yield return (line, number);
            }
        }
    }

    /// <summary>Inline links and images, <c>[text](target "title")</c>, outside code.</summary>
    internal static IEnumerable<(string Target, int Line)> Links(string text) =>
        ProseLines(text).SelectMany(l => LinkPattern().Matches(CodeSpanPattern().Replace(l.Text, string.Empty))
            .Select(m => (m.Groups["target"].Value, l.Line)));

    /// <summary>Backticked spans that name a file or folder of the repository (placeholders such as <c>{id}</c> or <c>*</c> are not paths).</summary>
    internal static IEnumerable<(string Path, int Line)> RepositoryPaths(string text) =>
        ProseLines(text).SelectMany(l => CodeSpanPattern().Matches(l.Text)
            .Select(m => m.Groups["code"].Value.Trim())
            .Where(code => RepositoryPathPattern().IsMatch(code))
            .Select(code => (code, l.Line)));

    /// <summary>The anchors GitHub gives the headings of a Markdown file (lower case, punctuation dropped, spaces to '-', repeats numbered).</summary>
    internal static List<string> AnchorsOf(string markdown)
    {
        var anchors = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, _) in ProseLines(markdown))
        {
            var match = HeadingPattern().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var heading = CodeTicks().Replace(match.Groups["text"].Value.Trim(), string.Empty);
            heading = LinkText().Replace(heading, "$1");
            var slug = new StringBuilder();
            foreach (var c in heading.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            if (seen.TryGetValue(anchor, out var count))
            {
                seen[anchor] = count + 1;
                anchor = $"{anchor}-{count}";
            }
            else
            {
                seen[anchor] = 1;
            }

            anchors.Add(anchor);
        }

        return anchors;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpCqrs.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds McpCqrs.sln: the tests must run inside the repository.");
    }

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`(?<code>[^`]+)`")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"^(?:src|tests|docs)/[A-Za-z0-9_.\-/]+$")]
    private static partial Regex RepositoryPathPattern();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex("`")]
    private static partial Regex CodeTicks();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkText();
}
