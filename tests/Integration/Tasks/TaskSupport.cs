using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>One real host with the task fixtures and the test-user scheme (callers named by a header).</summary>
public sealed class TaskHost : IAsyncLifetime
{
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Configuration beside the defaults (limits, task options).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    internal TestHost Host { get; private set; } = null!;

    /// <summary>Lists come in pages of two, so paging is exercised.</summary>
    public async Task InitializeAsync() => Host = await TestHost.StartOnSqliteAsync(
        services =>
        {
            services.AddTestUserAuthentication();
            services.AddTaskFixtures();
        },
        new Dictionary<string, string?>(Settings) { ["Mcp:Server:ListPageSize"] = "2" });

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await Host.DisposeAsync();
    }

    internal HttpClient Client(string user)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(user, out var client))
            {
                client = new HttpClient { BaseAddress = Host.Address };
                client.DefaultRequestHeaders.Add(TestUserAuthentication.Header, user);
                _clients[user] = client;
            }

            return client;
        }
    }

    /// <summary>2026-07-28 raw HTTP as <paramref name="user"/>.</summary>
    internal StatelessHttp StatelessWire(string user = "alice") => new(Client(user));

    /// <summary>2025-11-25 raw HTTP as <paramref name="user"/> (call <c>InitializeAsync</c> first).</summary>
    internal RawMcp SessionEra(string user = "alice") => new(Client(user));
}

/// <summary>Requests and waits of the tasks extension (2026-07-28) on raw HTTP.</summary>
internal static class StatelessTasks
{
    public const string Extension = "io.modelcontextprotocol/tasks";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Client capabilities that take tasks (and can answer elicitations).</summary>
    public static JsonObject Meta(bool tasks = true)
    {
        var capabilities = new JsonObject { ["elicitation"] = new JsonObject() };
        if (tasks)
        {
            capabilities["extensions"] = new JsonObject { [Extension] = new JsonObject() };
        }

        return StatelessWire.Meta(capabilities);
    }

    public static JsonObject Call(string tool, JsonObject? arguments = null, bool tasks = true) => StatelessWire.Call(tool, arguments, meta: Meta(tasks));

    public static JsonObject Method(string method, string taskId, JsonObject? more = null, bool tasks = true)
    {
        var parameters = more ?? new JsonObject();
        parameters["taskId"] = taskId;
        return StatelessWire.Request(method, parameters, meta: Meta(tasks));
    }

    /// <summary>Calls a task tool and returns the created task (flat CreateTaskResult).</summary>
    public static async Task<JsonObject> CreateAsync(StatelessHttp http, string tool, JsonObject? arguments = null)
    {
        var result = Expect.Result(await http.CallAsync(Call(tool, arguments)), 1);
        Assert.True(result["resultType"]?.GetValue<string>() == "task", $"a task was expected: {result.ToJsonString()}");
        return result;
    }

    public static async Task<JsonObject> GetAsync(StatelessHttp http, string taskId) =>
        Expect.Complete(await http.CallAsync(Method("tasks/get", taskId)), 1);

    /// <summary>Polls <c>tasks/get</c> until the task has <paramref name="status"/> (or any terminal status when null).</summary>
    public static async Task<JsonObject> UntilAsync(StatelessHttp http, string taskId, string? status = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var task = await GetAsync(http, taskId);
            var now = task["status"]!.GetValue<string>();
            if (status is null ? now is "completed" or "failed" or "cancelled" : now == status)
            {
                return task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} did not reach {status ?? "a terminal status"}: {task.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public static JsonObject Error(Reply reply, HttpStatusCode status, int code) => Expect.Error(reply, status, code, 1);
}
