using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Querying;
using McpCqrs.Toon;
using McpCqrs.Tests.Unit.Toon;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Tests.Unit.Output;

/// <summary>Lists rows, a page at a time (a selector-like result).</summary>
public sealed record ListOutputRows(int Count = 3) : IQuery<Page<OutputRow>>;

public sealed record OutputRow(int Id, string Name, bool Active, string? Owner);

/// <summary>Returns a list, wrapped as <c>{"result": [...]}</c>.</summary>
public sealed record ListOutputRowArray : IQuery<IReadOnlyList<OutputRow>>;

/// <summary>Returns a document with nested objects and arrays.</summary>
public sealed record GetOutputDocument : IQuery<OutputDocument>;

public sealed record OutputDocument(string Title, IReadOnlyList<string> Tags, OutputRow Owner);

internal static class OutputSamples
{
    public static Page<OutputRow> Rows(int count) =>
        new([.. Enumerable.Range(1, count).Select(i => new OutputRow(i, $"row {i}", i % 2 == 0, i % 3 == 0 ? null : "ada"))], 1, count, count + 5);

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Asserts that <paramref name="toon"/> decodes (strictly) to <paramref name="expected"/> under the TOON §2 equality.</summary>
    public static void AssertDecodesTo(JsonElement expected, string toon)
    {
        var decoded = ToonDecoder.Decode(toon);
        var difference = ToonJsonModel.Difference(JsonNode.Parse(expected.GetRawText()), decoded);
        Assert.True(difference is null, $"{difference}\nTOON:\n{toon}");
    }
}

/// <summary>Keeps what is logged, to assert on warnings.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, formatter(state, exception), exception));
}
