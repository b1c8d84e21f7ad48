using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Tests.Integration.Support;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Integration.Persistence;

/// <summary>The durable task store on real PostgreSQL: what one instance writes another reads at once, and racing finishes have one winner.</summary>
[Collection(PostgresCollection.Name)]
public sealed class McpTaskStoreTests(PostgresServer postgres) : IAsyncLifetime
{
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        await using var db = Context();
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync() => postgres.DropDatabaseAsync(_database);

    private PostgresAppDbContext Context() => new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(_database).Options);

    [Fact]
    public async Task Two_instances_racing_to_finish_a_task_leave_exactly_one_outcome()
    {
        McpTaskRecord task;
        await using (var db = Context())
        {
            task = await new EfMcpTaskStore(db, TimeProvider.System).CreateAsync(new McpTaskDraft("alice", "export_tickets", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default);
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using var db = Context();
            var status = i % 2 == 0 ? McpTaskStatus.Completed : McpTaskStatus.Failed;
            return (Won: await new EfMcpTaskStore(db, TimeProvider.System).TryTransitionAsync(task.TaskId, status, $"writer {i}", status == McpTaskStatus.Completed ? "{}" : null, status == McpTaskStatus.Failed ? "{}" : null, default), Status: status);
        }));

        var winner = Assert.Single(outcomes, o => o.Won);
        await using var reader = Context();
        var stored = await new EfMcpTaskStore(reader, TimeProvider.System).FindAsync(task.TaskId, "alice", default);
        Assert.Equal(winner.Status, stored!.Status);
        Assert.Equal(1, stored.Revision); // created at 0; exactly one transition applied
    }

    [Fact]
    public async Task Two_partial_answers_committed_side_by_side_move_the_task_on()
    {
        for (var round = 0; round < 5; round++)
        {
            McpTaskRecord task;
            await using (var db = Context())
            {
                var store = new EfMcpTaskStore(db, TimeProvider.System);
                task = await store.CreateAsync(new McpTaskDraft("alice", "multi_input", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default);
                Assert.True(await store.RequestInputAsync(task.TaskId, new Dictionary<string, string> { ["a"] = "{}", ["b"] = "{}" }, null, default));
            }

            await Task.WhenAll(new[] { "a", "b" }.Select(async key =>
            {
                await using var db = Context();
                await new EfMcpTaskStore(db, TimeProvider.System).AnswerAsync(task.TaskId, "alice", new Dictionary<string, string> { [key] = """{"action":"accept"}""" }, default);
            }));

            await using var reader = Context();
            var stored = await new EfMcpTaskStore(reader, TimeProvider.System).FindAsync(task.TaskId, "alice", default);
            Assert.Equal(McpTaskStatus.Working, stored!.Status);
        }
    }
}
