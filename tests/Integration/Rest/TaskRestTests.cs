using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Tasks;

namespace McpCqrs.Tests.Integration.Rest;

/// <summary>The long-running export over REST: 202 + Location, the task resource, cancel, input, and the same store as MCP.</summary>
public sealed class TaskRestTests(TaskHost host) : IClassFixture<TaskHost>
{
    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<JsonObject> UntilDoneAsync(HttpClient client, string location)
    {
        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        while (true)
        {
            var task = await JsonAsync(await client.GetAsync(location), HttpStatusCode.OK);
            if (task["status"]!.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                return task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the task did not end: {task.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task An_export_is_accepted_with_its_task_location_and_ends_with_the_same_tickets_as_the_list()
    {
        var client = host.Client("ivan");
        var response = await client.PostAsJsonAsync("/api/tickets/exports", new { filter = "status=Open" });
        var accepted = await JsonAsync(response, HttpStatusCode.Accepted);

        var location = response.Headers.Location!.ToString();
        Assert.Equal($"/api/tasks/{accepted["taskId"]!.GetValue<string>()}", location);
        Assert.Equal("working", accepted["status"]!.GetValue<string>());

        var done = await UntilDoneAsync(client, location);
        var list = await JsonAsync(await client.GetAsync("/api/tickets?filter=status%3DOpen&pageSize=100"), HttpStatusCode.OK);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        var export = done["result"]!["structuredContent"]!;
        Assert.Equal(list["totalItems"]!.GetValue<int>(), export["count"]!.GetValue<int>());
        Assert.Equal(list["totalItems"]!.GetValue<int>() + 1, export["csv"]!.GetValue<string>().TrimEnd('\n').Split('\n').Length);

        // The same task is visible over MCP to the same caller.
        Assert.Equal("completed", (await StatelessTasks.GetAsync(host.StatelessWire("ivan"), accepted["taskId"]!.GetValue<string>()))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_filter_is_refused_at_once_and_starts_nothing()
    {
        var response = await host.Client("ivan").PostAsJsonAsync("/api/tickets/exports", new { filter = "nosuchfield=1" });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Null(response.Headers.Location);
        Assert.Equal("validation_error", problem["code"]?.GetValue<string>() ?? problem["type"]?.GetValue<string>()?.Split('/')[^1]);
    }

    [Fact]
    public async Task Only_the_caller_sees_cancels_or_answers_a_task()
    {
        var owner = host.Client("judy");
        var location = (await owner.PostAsJsonAsync("/api/tickets/exports", new { filter = "status=Open" })).Headers.Location!.ToString();
        var mallory = host.Client("mallory");

        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync(location + "/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsJsonAsync(location + "/input", new { inputResponses = new { } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/api/tasks/no-such-task")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(location)).StatusCode);
    }

    [Fact]
    public async Task A_task_waiting_for_input_is_answered_and_cancelled_over_REST()
    {
        var client = host.StatelessWire("kim");
        var answered = (await StatelessTasks.CreateAsync(client, "confirm_delete", new JsonObject { ["filename"] = "rest.txt" }))["taskId"]!.GetValue<string>();
        var cancelled = (await StatelessTasks.CreateAsync(client, "slow_compute", new JsonObject { ["seconds"] = 60, ["label"] = "rest" }))["taskId"]!.GetValue<string>();
        var rest = host.Client("kim");

        var waiting = await StatelessTasks.UntilAsync(client, answered, "input_required");
        Assert.NotNull(waiting["inputRequests"]!["confirm"]);
        var after = await JsonAsync(
            await rest.PostAsJsonAsync($"/api/tasks/{answered}/input", new { inputResponses = new { confirm = new { action = "accept", content = new { confirm = false } } } }),
            HttpStatusCode.OK);
        Assert.NotEqual("input_required", after["status"]!.GetValue<string>());
        Assert.Equal("Kept rest.txt.", (await UntilDoneAsync(rest, $"/api/tasks/{answered}"))["result"]!["content"]![0]!["text"]!.GetValue<string>());

        var stopped = await JsonAsync(await rest.PostAsync($"/api/tasks/{cancelled}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("cancelled", stopped["status"]!.GetValue<string>());
        Assert.Equal("cancelled", (await JsonAsync(await rest.PostAsync($"/api/tasks/{cancelled}/cancel", null), HttpStatusCode.OK))["status"]!.GetValue<string>());
    }
}
