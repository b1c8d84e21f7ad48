using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Dispatch;
using ModelContextProtocol.Protocol;
using McpCqrs.Web.Apps;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>
/// The MCP request metrics carry only bounded tag values, whatever names and URIs callers invent; the span keeps
/// what the caller sent.
/// </summary>
public sealed class McpMetricTagsTests
{
    private static readonly McpCatalog Catalog = AppCatalog();

    private static McpCatalog AppCatalog()
    {
        var builder = new McpCatalogBuilder().AddTicketBoard().AddFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        return new McpCatalog(builder.Tools, builder.Resources, builder.Prompts, _ => []);
    }

    private static JsonElement Params(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static Dictionary<string, object?> TagsOf(string method, string? target) =>
        McpMetricTags.Of(Catalog, method, target).ToArray().ToDictionary(t => t.Key, t => t.Value);

    [Fact]
    public void A_known_tool_prompt_and_resource_are_tagged_by_their_catalog_name_and_template()
    {
        Assert.Equal("close_ticket", TagsOf(RequestMethods.ToolsCall, "close_ticket")["gen_ai.tool.name"]);
        Assert.Equal("triage_ticket", TagsOf(RequestMethods.PromptsGet, "triage_ticket")["gen_ai.prompt.name"]);
        Assert.Equal("tickets://{id}", TagsOf(RequestMethods.ResourcesRead, "tickets://42")[McpMetricTags.ResourceTemplate]);
        Assert.Equal("customers://{id}", TagsOf(RequestMethods.ResourcesSubscribe, "customers://7")[McpMetricTags.ResourceTemplate]);
        Assert.Equal(RequestMethods.ResourcesRead, TagsOf(RequestMethods.ResourcesRead, "tickets://42")["mcp.method.name"]);
        Assert.DoesNotContain("mcp.resource.uri", TagsOf(RequestMethods.ResourcesRead, "tickets://42").Keys);
    }

    [Theory]
    [InlineData("tools/call", null, "gen_ai.tool.name")]
    [InlineData("tools/call", "no_such_tool", "gen_ai.tool.name")]
    [InlineData("prompts/get", "no_such_prompt", "gen_ai.prompt.name")]
    [InlineData("resources/read", "evil://anything", McpMetricTags.ResourceTemplate)]
    [InlineData("resources/unsubscribe", "file:///etc/passwd", McpMetricTags.ResourceTemplate)]
    public void An_unknown_target_is_tagged_unknown(string method, string? target, string key) =>
        Assert.Equal(McpMetricTags.Unknown, TagsOf(method, target)[key]);

    [Theory]
    [InlineData("tools/explode")]
    [InlineData("")]
    [InlineData("Tools/Call")]
    public void A_method_this_server_does_not_serve_is_tagged_unknown(string method) =>
        Assert.Equal(McpMetricTags.Unknown, TagsOf(method, null)["mcp.method.name"]);

    [Theory]
    [InlineData(-32602, "-32602")]
    [InlineData(-32000, "-32000")]
    [InlineData(-32768, "-32768")]
    [InlineData(-31999, McpMetricTags.OtherError)]
    [InlineData(-32769, McpMetricTags.OtherError)]
    [InlineData(42, McpMetricTags.OtherError)]
    [InlineData(int.MinValue, McpMetricTags.OtherError)]
    public void An_error_code_is_tagged_as_itself_only_within_the_reserved_range(int code, string tag) =>
        Assert.Equal(tag, McpMetricTags.ErrorType(code));

    [Theory]
    [InlineData("initialize")]
    [InlineData("tools/list")]
    [InlineData("server/discover")]
    [InlineData("tasks/get")]
    public void A_method_this_server_serves_is_tagged_by_name(string method) =>
        Assert.Equal(method, TagsOf(method, null)["mcp.method.name"]);

    [Fact]
    public void A_flood_of_invented_names_and_uris_yields_a_bounded_set_of_tag_values_while_spans_keep_what_was_sent()
    {
        var measured = new ConcurrentBag<KeyValuePair<string, object?>[]>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ApplicationTelemetry.SourceName && instrument.Name == "mcp.server.requests")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) => measured.Add(tags.ToArray()));
        meters.Start();
        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ApplicationTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        const int flood = 300;
        var invented = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < flood; i++)
        {
            var tool = $"invented_tool_{i}_{Guid.NewGuid():N}";
            var prompt = $"invented_prompt_{i}";
            var concrete = $"tickets://{i + 1000}";
            var foreign = $"evil://{Guid.NewGuid():N}/{i}";
            var method = $"invented/method/{i}";
            invented.UnionWith([tool, prompt, concrete, foreign, method]);
            Run(RequestMethods.ToolsCall, $$"""{"name":"{{tool}}"}""");
            Run(RequestMethods.PromptsGet, $$"""{"name":"{{prompt}}"}""");
            Run(RequestMethods.ResourcesRead, $$"""{"uri":"{{concrete}}"}""");
            Run(RequestMethods.ResourcesSubscribe, $$"""{"uri":"{{foreign}}"}""");
            Run(method, "{}");
        }

        Run(RequestMethods.ToolsCall, """{"name":"close_ticket"}""");
        meters.RecordObservableInstruments();

        var values = measured.SelectMany(tags => tags).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Select(t => t.Value as string).ToHashSet());
        Assert.DoesNotContain(values.Values.SelectMany(v => v), v => v is not null && invented.Contains(v));
        Assert.Equal(new HashSet<string?> { "close_ticket", McpMetricTags.Unknown }, values["gen_ai.tool.name"]);
        Assert.Equal(new HashSet<string?> { McpMetricTags.Unknown }, values["gen_ai.prompt.name"]);
        Assert.Equal(new HashSet<string?> { "tickets://{id}", McpMetricTags.Unknown }, values[McpMetricTags.ResourceTemplate]);
        Assert.Equal(
            new HashSet<string?> { RequestMethods.ToolsCall, RequestMethods.PromptsGet, RequestMethods.ResourcesRead, RequestMethods.ResourcesSubscribe, McpMetricTags.Unknown },
            values["mcp.method.name"]);
        Assert.InRange(measured.Select(tags => string.Join('|', tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))).Distinct().Count(), 1, 10);

        // The spans keep the concrete values (they are not aggregated), under bounded span names.
        var mine = spans.Where(s => s.GetTagItem("mcp.resource.uri") as string == "tickets://1000").ToList();
        Assert.Equal("mcp.resources.read", Assert.Single(mine).DisplayName);
        Assert.Contains(spans, s => s.DisplayName == "mcp._unknown" && s.GetTagItem("mcp.method.name") as string == "invented/method/0");
    }

    private static void Run(string method, string parameters)
    {
        using var operation = new McpOperation(Catalog, method, new RequestId(1), Params(parameters), null, "2026-07-28");
        operation.Failed(-32602, "refused");
    }
}
