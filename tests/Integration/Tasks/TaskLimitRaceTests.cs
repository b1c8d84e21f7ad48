using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.ScaleOut;
using McpCqrs.Tests.Integration.Stateless;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>
/// <c>Mcp:Limits:MaxLiveTasksPerOwner</c> holds when one owner's calls arrive together: nine task calls at once with a
/// bound of three create exactly three tasks — on SQLite, and on PostgreSQL with the calls spread over two instances
/// sharing the database — and the other six are refused with the limit's error.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TaskLimitRaceTests(PostgresServer postgres)
{
    private const int Max = 3;
    private const int Calls = 9;

    private static readonly Dictionary<string, string?> Bound = new() { ["Mcp:Limits:MaxLiveTasksPerOwner"] = $"{Max}" };

    [Fact]
    public async Task Parallel_task_calls_of_one_owner_never_pass_the_bound_together_on_sqlite()
    {
        await using var host = await TestHost.StartOnSqliteAsync(services => services.AddTaskFixtures(), Bound);
        await RaceAsync([new StatelessHttp(host.Client)]);
    }

    [Fact]
    public async Task Parallel_task_calls_of_one_owner_never_pass_the_bound_together_across_two_instances_on_postgres()
    {
        await using var pair = await HostPair.StartAsync(postgres, services => services.AddTaskFixtures(), Bound);
        await RaceAsync([new StatelessHttp(pair.A.Client), new StatelessHttp(pair.B.Client)]);
    }

    /// <summary>Tasks that wait for input stay live, so every call of the burst counts against the bound.</summary>
    private static async Task RaceAsync(IReadOnlyList<StatelessHttp> instances)
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i =>
            instances[i % instances.Count].CallAsync(StatelessTasks.Call("confirm_delete", new JsonObject { ["filename"] = $"race-{i}.txt" }))));

        var created = replies.Where(r => r.Final["result"]?["resultType"]?.GetValue<string>() == "task").ToList();
        var refused = replies.Where(r => r.Final["error"]?["code"]?.GetValue<int>() == -32003).ToList();
        Assert.True(created.Count == Max, $"{created.Count} tasks were created: {string.Join(" | ", replies.Select(r => r.ToString()))}");
        Assert.Equal(Calls - Max, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.Equal("Mcp:Limits:MaxLiveTasksPerOwner", r.Final["error"]!["data"]!["limit"]!.GetValue<string>());
        });

        // The bound is about live tasks: once one ends, the owner may start another.
        Expect.Complete(await instances[0].CallAsync(StatelessTasks.Method("tasks/cancel", created[0].Final["result"]!["taskId"]!.GetValue<string>())), 1);
        await StatelessTasks.CreateAsync(instances[^1], "confirm_delete", new JsonObject { ["filename"] = "after.txt" });
    }
}
