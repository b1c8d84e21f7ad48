using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Telemetry;

/// <summary>
/// Callers inventing tool names, prompt names, resource URIs and methods, in both eras, through the real host: the
/// request metrics see none of the invented values (a flood cannot grow the metric series), only the catalog's
/// names, the registered URI templates and <c>_unknown</c>.
/// </summary>
public sealed class MetricTagsTests : IAsyncLifetime
{
    private const int Flood = 60;

    private readonly ConcurrentBag<KeyValuePair<string, object?>> _tags = [];
    private MeterListener _listener = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ApplicationTelemetry.SourceName && instrument.Name is "mcp.server.requests" or "mcp.server.operation.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Collect(tags));
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Collect(tags));
        _listener.Start();
        _host = await TestHost.StartOnSqliteAsync();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _host.DisposeAsync();
    }

    private void Collect(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            _tags.Add(tag);
        }
    }

    [Fact]
    public async Task A_flood_of_invented_names_uris_and_methods_adds_no_tag_value()
    {
        var invented = new HashSet<string>(StringComparer.Ordinal);
        string Invent(string kind, int i)
        {
            var value = $"{kind}-{i}-{Guid.NewGuid():N}";
            invented.Add(value);
            return value;
        }

        var legacy = new RawMcp(_host.Client);
        await legacy.InitializeAsync();
        var modern = new StatelessHttp(_host.Client);

        for (var i = 0; i < Flood; i++)
        {
            var tool = Invent("tool", i);
            var prompt = Invent("prompt", i);
            var concrete = $"tickets://{900_000 + i}";
            invented.Add(concrete);
            var foreign = "evil://" + Invent("uri", i);
            invented.Add(foreign);
            var method = "invented/" + Invent("method", i);
            invented.Add(method);

            await legacy.PostAsync(Request(1, "tools/call", new JsonObject { ["name"] = tool }));
            await legacy.PostAsync(Request(2, "prompts/get", new JsonObject { ["name"] = prompt }));
            await legacy.PostAsync(Request(3, "resources/read", new JsonObject { ["uri"] = concrete }));
            await legacy.PostAsync(Request(4, "resources/subscribe", new JsonObject { ["uri"] = foreign }));
            await legacy.PostAsync(Request(5, method, new JsonObject()));
            await modern.CallAsync(StatelessWire.Call(tool, id: 6));
            await modern.CallAsync(StatelessWire.Request("resources/read", new JsonObject { ["uri"] = foreign }, 7));
        }

        await legacy.PostAsync(Request(8, "resources/read", new JsonObject { ["uri"] = "tickets://1" }));

        var values = _tags.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Select(t => t.Value as string).ToHashSet(StringComparer.Ordinal));
        Assert.DoesNotContain(values.Values.SelectMany(v => v), v => v is not null && invented.Contains(v));
        Assert.Contains("_unknown", values["gen_ai.tool.name"]);
        Assert.Contains("_unknown", values["gen_ai.prompt.name"]);
        Assert.Contains("tickets://{id}", values["mcpcqrs.resource.template"]);
        Assert.Contains("_unknown", values["mcpcqrs.resource.template"]);
        Assert.DoesNotContain("mcp.resource.uri", values.Keys);
    }

    private static string Request(int id, string method, JsonObject parameters) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
}
