using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using McpCqrs.Tests.Integration.Mcp;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// <c>subscriptions/listen</c> (digest rule 22): acknowledgement first, the subscription id (the listen request's
/// id, same JSON type) on every notification, and only the kinds the listener opted in to.
/// A host per test: the tests change the tool and prompt lists.
/// </summary>
public sealed class SubscriptionsListenTests : IAsyncLifetime
{
    private readonly StatelessHost _fixture = new();
    private readonly List<IDisposable> _open = [];

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var open in Enumerable.Reverse(_open))
        {
            open.Dispose();
        }

        await _fixture.DisposeAsync();
    }

    /// <summary>Opens a listen stream; returns its reader once the response headers are in.</summary>
    private async Task<(HttpResponseMessage Response, SseReader Events)> ListenAsync(JsonNode id, JsonObject notifications)
    {
        var response = await _fixture.As().SendAsync(
            StatelessWire.Request("subscriptions/listen", new JsonObject { ["notifications"] = notifications }, id),
            completion: HttpCompletionOption.ResponseHeadersRead);
        _open.Add(response);
        using var timeout = new CancellationTokenSource(StatelessHost.Patience);
        var events = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        _open.Add(events);
        return (response, events);
    }

    private static async Task<JsonObject> NextAsync(SseReader events)
    {
        using var timeout = new CancellationTokenSource(StatelessHost.Patience);
        var (eventId, message) = await events.NextMessageAsync(timeout.Token);
        Assert.True(eventId is null, "modern streams carry no event ids");
        return message.AsObject();
    }

    private async Task TriggerAsync(string tool, JsonNode id) =>
        Expect.Complete(await _fixture.As().CallAsync(StatelessWire.Call(tool, id: id)), id);

    [Theory]
    [InlineData("\"listen-1\"")]
    [InlineData("77")]
    public async Task The_first_event_acknowledges_the_subscription_with_the_request_id_as_its_id(string idJson)
    {
        var id = JsonNode.Parse(idJson)!;

        var (response, events) = await ListenAsync(id, new JsonObject { ["toolsListChanged"] = true });
        var ack = await NextAsync(events);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        Assert.Equal("notifications/subscriptions/acknowledged", ack["method"]?.GetValue<string>());
        Assert.False(ack.ContainsKey("id"), "the acknowledgement is a notification");
        Expect.SameId(id, ack["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
        Assert.True(ack["params"]?["notifications"]?["toolsListChanged"]?.GetValue<bool>());
    }

    [Theory]
    [InlineData("\"listen-2\"")]
    [InlineData("78")]
    public async Task A_tool_list_change_reaches_the_listener_tagged_with_its_subscription_id(string idJson)
    {
        var id = JsonNode.Parse(idJson)!;
        var (_, events) = await ListenAsync(id, new JsonObject { ["toolsListChanged"] = true });
        await NextAsync(events); // the acknowledgement: the listener is registered from here on

        await TriggerAsync("test_trigger_tool_change", "trigger-1");
        var changed = await NextAsync(events);

        Assert.Equal("notifications/tools/list_changed", changed["method"]?.GetValue<string>());
        Expect.SameId(id, changed["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
    }

    [Fact]
    public async Task A_listener_hears_only_the_kinds_it_asked_for()
    {
        var (_, tools) = await ListenAsync("tools-only", new JsonObject { ["toolsListChanged"] = true });
        var (_, prompts) = await ListenAsync("prompts-only", new JsonObject { ["promptsListChanged"] = true });
        var toolsAck = await NextAsync(tools);
        var promptsAck = await NextAsync(prompts);
        Assert.Null(toolsAck["params"]?["notifications"]?["promptsListChanged"]);
        Assert.Null(promptsAck["params"]?["notifications"]?["toolsListChanged"]);

        // A tool change, then a prompt change, then a tool change: each stream's events arrive in order, so if a
        // listener got what it did not ask for, that would be its next event instead of the one checked here.
        await TriggerAsync("test_trigger_tool_change", "t-1");
        await TriggerAsync("test_trigger_prompt_change", "t-2");
        await TriggerAsync("test_trigger_tool_change", "t-3");

        var promptsFirst = await NextAsync(prompts);
        var toolsFirst = await NextAsync(tools);
        var toolsSecond = await NextAsync(tools);

        Assert.Equal("notifications/prompts/list_changed", promptsFirst["method"]?.GetValue<string>());
        Expect.SameId("prompts-only", promptsFirst["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
        Assert.Equal("notifications/tools/list_changed", toolsFirst["method"]?.GetValue<string>());
        Assert.Equal("notifications/tools/list_changed", toolsSecond["method"]?.GetValue<string>());
        Assert.All([toolsFirst, toolsSecond], n => Expect.SameId("tools-only", n["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]));
    }

    [Fact]
    public async Task A_resource_update_reaches_only_the_listeners_of_that_resource()
    {
        var (_, second) = await ListenAsync("ticket-2", new JsonObject { ["resourceSubscriptions"] = new JsonArray("tickets://2") });
        var (_, third) = await ListenAsync("ticket-3", new JsonObject { ["resourceSubscriptions"] = new JsonArray("tickets://3") });
        var ack = await NextAsync(second);
        await NextAsync(third);
        Assert.True(JsonNode.DeepEquals(new JsonArray("tickets://2"), ack["params"]?["notifications"]?["resourceSubscriptions"]), ack.ToJsonString());

        await CommentAsync(2, "c-1");
        await CommentAsync(3, "c-2");
        var onSecond = await NextAsync(second);
        var onThird = await NextAsync(third);

        Assert.Equal("notifications/resources/updated", onSecond["method"]?.GetValue<string>());
        Assert.Equal("tickets://2", onSecond["params"]?["uri"]?.GetValue<string>());
        Expect.SameId("ticket-2", onSecond["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
        Assert.Equal("notifications/resources/updated", onThird["method"]?.GetValue<string>());
        Assert.Equal("tickets://3", onThird["params"]?["uri"]?.GetValue<string>());
        Expect.SameId("ticket-3", onThird["params"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
    }

    private async Task CommentAsync(int ticketId, JsonNode id)
    {
        var result = Expect.Complete(await _fixture.As().CallAsync(StatelessWire.Call("add_comment", new JsonObject { ["ticketId"] = ticketId, ["body"] = "Looking into it." }, id)), id);
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
    }

    [Fact]
    public async Task A_listener_that_asked_for_nothing_hears_no_list_change()
    {
        var (_, nothing) = await ListenAsync("nothing", new JsonObject());
        var (_, prompts) = await ListenAsync("prompts", new JsonObject { ["promptsListChanged"] = true });
        await NextAsync(nothing);
        await NextAsync(prompts);

        await TriggerAsync("test_trigger_tool_change", "n-1");
        await TriggerAsync("test_trigger_prompt_change", "n-2");
        Assert.Equal("notifications/prompts/list_changed", (await NextAsync(prompts))["method"]?.GetValue<string>());

        // Ending the subscriptions gracefully (the host is stopping) sends the listen result and closes: whatever
        // the quiet stream holds is now in front of the reader.
        _fixture.Host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var rest = new List<JsonObject>();
        try
        {
            while (true)
            {
                rest.Add(await NextAsync(nothing));
            }
        }
        catch (EndOfStreamException)
        {
        }

        var end = Assert.Single(rest);
        Expect.SameId("nothing", end["id"]);
        Assert.Equal("complete", end["result"]?["resultType"]?.GetValue<string>());
        Expect.SameId("nothing", end["result"]?["_meta"]?[StatelessWire.SubscriptionIdKey]);
        Assert.DoesNotContain(rest, m => m["method"]?.GetValue<string>()?.EndsWith("/list_changed", StringComparison.Ordinal) == true);
    }
}
