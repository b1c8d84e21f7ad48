using System.Text.Json.Nodes;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Toon;

/// <summary>
/// The TOON spec v4.0 conformance fixtures (copied unchanged into Toon/Fixtures, MIT licence, see SOURCE.txt),
/// loaded from the test output directory.
/// </summary>
internal static class ToonFixtures
{
    public static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Toon", "Fixtures");

    private static readonly Lazy<IReadOnlyDictionary<string, ToonFixtureCase>> Cases = new(Load);

    public static IEnumerable<ToonFixtureCase> All => Cases.Value.Values;

    public static ToonFixtureCase Get(string file, string name) => Cases.Value[Id(file, name)];

    public static TheoryData<string, string> CaseNames(string category)
    {
        var data = new TheoryData<string, string>();
        foreach (var fixture in All.Where(c => c.Category == category))
        {
            data.Add(fixture.File, fixture.Name);
        }

        return data;
    }

    public static ToonOptions EncodeOptions(JsonObject? options)
    {
        var result = new ToonOptions();
        if (options?["delimiter"] is { } delimiter)
        {
            result = result with { Delimiter = delimiter.GetValue<string>().Single() };
        }

        if (options?["indentSize"] is { } indent)
        {
            result = result with { Indent = indent.GetValue<int>() };
        }

        return result;
    }

    public static ToonDecodeOptions DecodeOptions(JsonObject? options)
    {
        var result = new ToonDecodeOptions();
        if (options?["indentSize"] is { } indent)
        {
            result = result with { Indent = indent.GetValue<int>() };
        }

        if (options?["strict"] is { } strict)
        {
            result = result with { Strict = strict.GetValue<bool>() };
        }

        return result;
    }

    private static string Id(string file, string name) => file + " / " + name;

    private static IReadOnlyDictionary<string, ToonFixtureCase> Load()
    {
        var cases = new Dictionary<string, ToonFixtureCase>(StringComparer.Ordinal);
        foreach (var category in new[] { "encode", "decode" })
        {
            foreach (var path in Directory.GetFiles(Path.Combine(Root, category), "*.json").Order(StringComparer.Ordinal))
            {
                var file = category + "/" + Path.GetFileName(path);
                var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                if (document["category"]!.GetValue<string>() != category)
                {
                    throw new InvalidOperationException($"{file} is not an {category} fixture.");
                }

                foreach (var test in document["tests"]!.AsArray())
                {
                    var fixture = new ToonFixtureCase(
                        category,
                        file,
                        test!["name"]!.GetValue<string>(),
                        test["input"],
                        test["expected"],
                        test["shouldError"]?.GetValue<bool>() ?? false,
                        test["options"]?.AsObject());
                    cases.Add(Id(file, fixture.Name), fixture);
                }
            }
        }

        return cases;
    }
}

internal sealed record ToonFixtureCase(
    string Category,
    string File,
    string Name,
    JsonNode? Input,
    JsonNode? Expected,
    bool ShouldError,
    JsonObject? Options);
