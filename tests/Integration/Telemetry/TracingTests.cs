using System.Diagnostics;
using System.Net;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using OpenTelemetry.Trace;

namespace McpCqrs.Tests.Integration.Telemetry;

/// <summary>
/// Traces through the real host with the OpenTelemetry in-memory exporter: HTTP → mcp.tools.call → mediator
/// request → database. Each request carries its own W3C trace id, so spans of tests running alongside are ignored.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private TestHost _host = null!;
    private RawMcp _mcp = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartOnSqliteAsync(
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)),
            new Dictionary<string, string?> { ["Telemetry:Enabled"] = "true" });
        _mcp = new RawMcp(_host.Client);
        await _mcp.InitializeAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpResponseMessage Response, List<Activity> Trace)> TracedPostAsync(string body, string? origin = null)
    {
        // The test's own root activity: HttpClient propagates its trace id to the server (traceparent).
        using var root = new Activity("test-request").SetIdFormat(ActivityIdFormat.W3C).Start();
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var traceId = root.TraceId;
        var response = await _mcp.SendAsync(_mcp.Request(HttpMethod.Post, body, origin: origin));
        await response.Content.ReadAsStringAsync();
        root.Stop();

        // The server span ends just after the response is written: wait (bounded) until it is exported.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            List<Activity> trace;
            lock (_spans)
            {
                trace = [.. _spans.Where(s => s.TraceId == traceId)];
            }

            if (trace.Any(s => s.Kind == ActivityKind.Server))
            {
                return (response, trace);
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task A_task_runs_in_its_own_trace_linked_to_the_call_that_created_it()
    {
        var (response, trace) = await TracedPostAsync("""{"jsonrpc":"2.0","id":"trace-task","method":"tools/call","params":{"name":"export_tickets","arguments":{"filter":"status=Open"},"task":{}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"task\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var call = Assert.Single(trace, s => s.DisplayName == "mcp.tools.call");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Activity? run = null;
        while (run is null)
        {
            lock (_spans)
            {
                run = _spans.FirstOrDefault(s => s.DisplayName == "mcp.task.run" && s.Links.Any(l => l.Context.SpanId == call.SpanId));
            }

            if (run is null)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        Assert.NotEqual(call.TraceId, run.TraceId);
        Assert.Equal("export_tickets", run.GetTagItem("gen_ai.tool.name"));
        lock (_spans)
        {
            Assert.Contains(_spans, s => s.DisplayName == "ExportTickets" && s.TraceId == run.TraceId);
        }
    }

    [Fact]
    public async Task A_tool_call_is_traced_from_HTTP_through_the_method_and_the_command_down_to_the_database()
    {
        var (response, trace) = await TracedPostAsync("""{"jsonrpc":"2.0","id":"trace-1","method":"tools/call","params":{"name":"create_customer","arguments":{"name":"Ada","email":"ada@trace.example"}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var http = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
        var method = Assert.Single(trace, s => s.DisplayName == "mcp.tools.call");
        var command = Assert.Single(trace, s => s.DisplayName == "CreateCustomer");
        Assert.Equal(http.SpanId, method.ParentSpanId);
        Assert.Equal(method.SpanId, command.ParentSpanId);
        Assert.Contains(trace, s => s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal) && IsBelow(s, command, trace));
        Assert.Equal("tools/call", method.GetTagItem("mcp.method.name"));
        Assert.Equal("create_customer", method.GetTagItem("gen_ai.tool.name"));
        Assert.Equal(_mcp.SessionId, method.GetTagItem("mcp.session.id"));
        Assert.Equal("2025-11-25", method.GetTagItem("mcp.protocol.version"));
        Assert.Equal("trace-1", method.GetTagItem("jsonrpc.request.id"));
        Assert.Equal(ActivityStatusCode.Ok, method.Status);
        Assert.DoesNotContain(trace, s => s.DisplayName == "McpCallTool");
    }

    [Fact]
    public async Task A_failed_method_marks_its_span_with_the_error()
    {
        var (_, trace) = await TracedPostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"no_such_tool"}}""");

        var method = Assert.Single(trace, s => s.DisplayName == "mcp.tools.call");
        Assert.Equal(ActivityStatusCode.Error, method.Status);
        Assert.Equal("-32602", method.GetTagItem("error.type"));
        Assert.Equal("-32602", method.GetTagItem("rpc.response.status_code"));
    }

    [Fact]
    public async Task A_tool_error_result_is_an_error_span_and_the_command_span_says_why()
    {
        var (_, trace) = await TracedPostAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_ticket","arguments":{"id":987654}}}""");

        Assert.Equal("tool_error", Assert.Single(trace, s => s.DisplayName == "mcp.tools.call").GetTagItem("error.type"));
        var query = Assert.Single(trace, s => s.DisplayName == "GetTicket");
        Assert.Equal(ActivityStatusCode.Error, query.Status);
        Assert.Equal("ticket.not_found", query.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Resources_and_prompts_have_their_own_spans_and_attributes()
    {
        var (_, read) = await TracedPostAsync("""{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"tickets://1"}}""");
        var (_, prompt) = await TracedPostAsync("""{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"triage_ticket","arguments":{"ticketId":"1"}}}""");

        Assert.Equal("tickets://1", Assert.Single(read, s => s.DisplayName == "mcp.resources.read").GetTagItem("mcp.resource.uri"));
        Assert.Equal("triage_ticket", Assert.Single(prompt, s => s.DisplayName == "mcp.prompts.get").GetTagItem("gen_ai.prompt.name"));
    }

    [Fact]
    public async Task A_request_refused_before_dispatch_gets_no_MCP_span()
    {
        var (response, trace) = await TracedPostAsync("""{"jsonrpc":"2.0","id":6,"method":"tools/list"}""", origin: "http://evil.example.com");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(trace, s => s.Source.Name == "McpCqrs");
    }

    private static bool IsBelow(Activity span, Activity ancestor, List<Activity> trace)
    {
        for (var parent = span.ParentSpanId; parent != default;)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }

            parent = trace.FirstOrDefault(s => s.SpanId == parent)?.ParentSpanId ?? default;
        }

        return false;
    }
}
