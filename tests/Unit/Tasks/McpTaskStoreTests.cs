using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace McpCqrs.Tests.Unit.Tasks;

/// <summary>The durable task store on a real SQL engine (SQLite in memory, the real migrations).</summary>
public sealed class McpTaskStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>Each call is its own unit of work, as each request (or worker step) would be.</summary>
    private async Task<T> WithStore<T>(Func<IMcpTaskStore, Task<T>> use)
    {
        await using var db = _database.NewContext();
        return await use(new EfMcpTaskStore(db, _clock));
    }

    private Task<McpTaskRecord> CreateAsync(string owner = "alice", TimeSpan? ttl = null) =>
        WithStore(s => s.CreateAsync(new McpTaskDraft(owner, "export_tickets", """{"filter":"status=Open"}""", ttl ?? TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)), default));

    [Fact]
    public async Task A_created_task_is_working_unguessable_and_readable_at_once_by_its_owner_only()
    {
        var created = await CreateAsync();
        var other = await CreateAsync();

        Assert.NotEqual(created.TaskId, other.TaskId);
        Assert.True(Convert.FromBase64String(created.TaskId.Replace('-', '+').Replace('_', '/') + "=").Length >= 16);
        var found = await WithStore(s => s.FindAsync(created.TaskId, "alice", default));
        Assert.NotNull(found);
        Assert.Equal(McpTaskStatus.Working, found.Status);
        Assert.Equal(3_600_000, found.TtlMs);
        Assert.Null(await WithStore(s => s.FindAsync(created.TaskId, "mallory", default)));
    }

    [Fact]
    public async Task A_terminal_task_never_changes_again()
    {
        var task = await CreateAsync();

        Assert.True(await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.InputRequired, "asking", null, null, default)));
        Assert.True(await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, """{"content":[]}""", null, default)));
        Assert.False(await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Failed, "late", null, """{"code":-32603}""", default)));

        var found = await WithStore(s => s.FindAsync(task.TaskId, "alice", default));
        Assert.Equal(McpTaskStatus.Completed, found!.Status);
        Assert.Equal("""{"content":[]}""", found.ResultJson);
        Assert.Null(found.ErrorJson);
    }

    [Fact]
    public async Task Cancellation_ends_the_task_at_once_is_idempotent_and_only_for_the_owner()
    {
        var task = await CreateAsync();

        Assert.False(await WithStore(s => s.RequestCancelAsync(task.TaskId, "mallory", default)));
        var untouched = await WithStore(s => s.FindAsync(task.TaskId, "alice", default));
        Assert.False(untouched!.CancelRequested);
        Assert.Equal(McpTaskStatus.Working, untouched.Status);

        Assert.True(await WithStore(s => s.RequestCancelAsync(task.TaskId, "alice", default)));
        Assert.False(await WithStore(s => s.RequestCancelAsync(task.TaskId, "alice", default)));
        var cancelled = await WithStore(s => s.FindAsync(task.TaskId, "alice", default));
        Assert.True(cancelled!.CancelRequested);
        Assert.Equal(McpTaskStatus.Cancelled, cancelled.Status);
        Assert.Null(cancelled.LeaseOwner);

        // The worker finishing late changes nothing.
        Assert.False(await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, "{}", null, default)));
    }

    [Fact]
    public async Task A_draft_starts_leased_with_the_answers_given_before_the_task()
    {
        var until = _clock.GetUtcNow().UtcDateTime.AddSeconds(30);
        var task = await WithStore(s => s.CreateAsync(
            new McpTaskDraft("alice", "test_tool_with_task", "{}", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1), "worker-a", until, new Dictionary<string, string> { ["user_name"] = """{"action":"accept"}""" }),
            default));

        var found = await WithStore(s => s.FindAsync(task.TaskId, "alice", default));
        Assert.Equal("worker-a", found!.LeaseOwner);
        Assert.False(await WithStore(s => s.TryLeaseAsync(task.TaskId, "worker-b", until, default)));
        Assert.Equal("""{"action":"accept"}""", (await WithStore(s => s.AnswersAsync(task.TaskId, default)))["user_name"]);
        Assert.Empty(await WithStore(s => s.PendingInputAsync(task.TaskId, default)));
    }

    [Fact]
    public async Task Status_messages_and_listing_belong_to_live_tasks_of_the_owner()
    {
        var first = await CreateAsync();
        var second = await CreateAsync();
        await CreateAsync(owner: "bob");

        Assert.True(await WithStore(s => s.SetStatusMessageAsync(first.TaskId, "half way", default)));
        Assert.Equal("half way", (await WithStore(s => s.FindAsync(first.TaskId, "alice", default)))!.StatusMessage);
        await WithStore(s => s.TryTransitionAsync(second.TaskId, McpTaskStatus.Completed, null, "{}", null, default));
        Assert.False(await WithStore(s => s.SetStatusMessageAsync(second.TaskId, "too late", default)));

        var listed = await WithStore(s => s.ListAsync("alice", 0, 10, default));
        Assert.Equal(new[] { first.TaskId, second.TaskId }.Order(StringComparer.Ordinal), listed.Select(t => t.TaskId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(listed, t => t.Owner != "alice");
    }

    [Fact]
    public async Task One_worker_holds_a_lease_and_a_task_whose_lease_expires_unfinished_fails_without_a_rerun()
    {
        var task = await CreateAsync();
        var now = _clock.GetUtcNow().UtcDateTime;

        Assert.True(await WithStore(s => s.TryLeaseAsync(task.TaskId, "worker-a", now.AddSeconds(30), default)));
        Assert.False(await WithStore(s => s.TryLeaseAsync(task.TaskId, "worker-b", now.AddSeconds(30), default)));
        Assert.Empty(await WithStore(s => s.FailAbandonedAsync(now.AddSeconds(10), default)));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([task.TaskId], await WithStore(s => s.FailAbandonedAsync(_clock.GetUtcNow().UtcDateTime, default)));

        var found = await WithStore(s => s.FindAsync(task.TaskId, "alice", default));
        Assert.Equal(McpTaskStatus.Failed, found!.Status);
        Assert.Equal(EfMcpTaskStore.AbandonedMessage, found.StatusMessage);
        Assert.False(await WithStore(s => s.TryLeaseAsync(task.TaskId, "worker-b", _clock.GetUtcNow().UtcDateTime.AddSeconds(30), default)));
    }

    [Fact]
    public async Task Input_requests_move_the_task_to_input_required_and_all_answers_move_it_back_to_working()
    {
        var task = await CreateAsync();
        var asked = new Dictionary<string, string> { ["confirm"] = """{"method":"elicitation/create"}""", ["reason"] = """{"method":"elicitation/create"}""" };

        Assert.True(await WithStore(s => s.RequestInputAsync(task.TaskId, asked, "Waiting for confirmation", default)));
        Assert.Equal(McpTaskStatus.InputRequired, (await WithStore(s => s.FindAsync(task.TaskId, "alice", default)))!.Status);
        Assert.Equal(["confirm", "reason"], (await WithStore(s => s.PendingInputAsync(task.TaskId, default))).Keys.Order(StringComparer.Ordinal));

        // Another caller's answers and unknown keys are ignored; a partial answer leaves the rest pending.
        Assert.Empty(await WithStore(s => s.AnswerAsync(task.TaskId, "mallory", new Dictionary<string, string> { ["confirm"] = "{}" }, default)));
        Assert.Equal(["confirm"], await WithStore(s => s.AnswerAsync(task.TaskId, "alice", new Dictionary<string, string> { ["confirm"] = """{"action":"accept"}""", ["nope"] = "{}" }, default)));
        Assert.Equal(["reason"], (await WithStore(s => s.PendingInputAsync(task.TaskId, default))).Keys);
        Assert.Equal(McpTaskStatus.InputRequired, (await WithStore(s => s.FindAsync(task.TaskId, "alice", default)))!.Status);

        // An answered key cannot be answered again.
        Assert.Empty(await WithStore(s => s.AnswerAsync(task.TaskId, "alice", new Dictionary<string, string> { ["confirm"] = """{"action":"decline"}""" }, default)));
        Assert.Equal(["reason"], await WithStore(s => s.AnswerAsync(task.TaskId, "alice", new Dictionary<string, string> { ["reason"] = """{"action":"accept"}""" }, default)));

        Assert.Equal(McpTaskStatus.Working, (await WithStore(s => s.FindAsync(task.TaskId, "alice", default)))!.Status);
        var answers = await WithStore(s => s.AnswersAsync(task.TaskId, default));
        Assert.Equal("""{"action":"accept"}""", answers["confirm"]);
        Assert.Equal(2, answers.Count);
    }

    [Fact]
    public async Task An_input_key_is_never_reused_and_a_finished_task_asks_nothing()
    {
        var task = await CreateAsync();
        var asked = new Dictionary<string, string> { ["confirm"] = "{}" };
        await WithStore(s => s.RequestInputAsync(task.TaskId, asked, null, default));
        await WithStore(s => s.AnswerAsync(task.TaskId, "alice", new Dictionary<string, string> { ["confirm"] = "{}" }, default));

        await Assert.ThrowsAsync<ArgumentException>(() => WithStore(s => s.RequestInputAsync(task.TaskId, asked, null, default)));

        await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Cancelled, null, null, null, default));
        Assert.False(await WithStore(s => s.RequestInputAsync(task.TaskId, new Dictionary<string, string> { ["more"] = "{}" }, null, default)));
        Assert.Empty(await WithStore(s => s.PendingInputAsync(task.TaskId, default)));
    }

    [Fact]
    public async Task A_sweep_fails_the_tasks_of_dead_workers_and_deletes_expired_tasks_with_their_input_requests()
    {
        var shortLived = await CreateAsync(ttl: TimeSpan.FromMinutes(5));
        await WithStore(s => s.RequestInputAsync(shortLived.TaskId, new Dictionary<string, string> { ["confirm"] = "{}" }, null, default));
        var abandoned = await CreateAsync();
        await WithStore(s => s.TryLeaseAsync(abandoned.TaskId, "worker-a", _clock.GetUtcNow().UtcDateTime.AddSeconds(30), default));
        await using var services = new ServiceCollection()
            .AddScoped<McpCqrs.Infrastructure.Persistence.AppDbContext>(_ => _database.NewContext())
            .AddScoped<IMcpTaskStore>(sp => new EfMcpTaskStore(sp.GetRequiredService<McpCqrs.Infrastructure.Persistence.AppDbContext>(), _clock))
            .BuildServiceProvider();
        var sweeper = new McpTaskSweeper(
            services.GetRequiredService<IServiceScopeFactory>(),
            Microsoft.Extensions.Options.Options.Create(new McpTaskOptions()),
            _clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<McpTaskSweeper>.Instance);

        Assert.Equal((0, 0), await sweeper.SweepOnceAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((1, 1), await sweeper.SweepOnceAsync(default));

        await using var db = _database.NewContext();
        Assert.Equal([abandoned.TaskId], db.Set<McpTaskRecord>().Select(t => t.TaskId).ToList());
        Assert.Empty(db.Set<McpTaskInputRequest>().ToList());
        Assert.Equal(McpTaskStatus.Failed, db.Set<McpTaskRecord>().Single().Status);
    }

    [Fact]
    public async Task An_expired_task_is_no_longer_found()
    {
        var task = await CreateAsync(ttl: TimeSpan.FromMinutes(5));

        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Null(await WithStore(s => s.FindAsync(task.TaskId, "alice", default)));
    }

    [Fact]
    public async Task A_task_past_its_time_to_live_is_kept_while_it_runs_and_deleted_once_it_ends()
    {
        var task = await CreateAsync(ttl: TimeSpan.FromMinutes(5));
        var now = _clock.GetUtcNow().UtcDateTime;
        Assert.True(await WithStore(s => s.TryLeaseAsync(task.TaskId, "worker-a", now.AddHours(1), default)));

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await WithStore(s => s.DeleteExpiredAsync(_clock.GetUtcNow().UtcDateTime, default)));
        Assert.Equal(McpTaskStatus.Working, (await WithStore(s => s.FindAsync(task.TaskId, "alice", default)))!.Status);

        await WithStore(s => s.TryTransitionAsync(task.TaskId, McpTaskStatus.Completed, null, "{}", null, default));
        Assert.Equal(1, await WithStore(s => s.DeleteExpiredAsync(_clock.GetUtcNow().UtcDateTime, default)));
        Assert.Null(await WithStore(s => s.FindAsync(task.TaskId, "alice", default)));
    }

    [Fact]
    public async Task Live_tasks_are_counted_per_owner_and_ended_ones_are_not()
    {
        var first = await CreateAsync();
        await CreateAsync();
        await CreateAsync(owner: "bob");
        await WithStore(s => s.TryTransitionAsync(first.TaskId, McpTaskStatus.Completed, null, "{}", null, default));

        Assert.Equal(1, await WithStore(s => s.CountLiveAsync("alice", default)));
        Assert.Equal(1, await WithStore(s => s.CountLiveAsync("bob", default)));
    }
}
