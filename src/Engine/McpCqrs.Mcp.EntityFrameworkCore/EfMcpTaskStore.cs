using System.Security.Cryptography;
using McpCqrs.Mcp.Tasks;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Mcp.EntityFrameworkCore;

/// <summary>
/// <see cref="IMcpTaskStore"/> on the application's <see cref="DbContext"/> (SQLite, PostgreSQL or another relational
/// provider; its model includes <see cref="McpModelBuilderExtensions.AddMcpTasks"/>). Transitions are single
/// conditional <c>UPDATE</c>s (<c>WHERE Status NOT IN (terminal)</c>), so two instances racing to finish a task
/// cannot both win, and nothing is read-modified-written.
/// </summary>
internal sealed class EfMcpTaskStore(DbContext db, TimeProvider clock) : IMcpTaskStore
{
    public const string CancelledMessage = "Cancelled at the client's request.";

    private static readonly string AbandonedError = McpTaskWire.ErrorJson(-32603, "The task was abandoned.");

    public const string AbandonedMessage = "The instance running this task stopped before it finished; the task was not re-run.";

    public const string ExpiredMessage = "The task's time to live ended before it finished; it was stopped.";

    private static readonly string ExpiredError = McpTaskWire.ErrorJson(-32001, ExpiredMessage);

    private static readonly McpTaskStatus[] Terminal = McpTaskRecord.TerminalStatuses;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<McpTaskRecord> CreateAsync(McpTaskDraft draft, CancellationToken cancellationToken) =>
        await TryCreateAsync(draft, int.MaxValue, cancellationToken) ?? throw new InvalidOperationException("Unreachable: no bound was set.");

    /// <summary>
    /// The count and the insert are one transaction that no other creation for the same owner interleaves with:
    /// PostgreSQL serializes them per owner with a transaction-scoped advisory lock; SQLite, with one writer at a time,
    /// takes its write lock at the insert, which comes before the count. Over the bound, the insert is rolled back.
    /// </summary>
    public async Task<McpTaskRecord?> TryCreateAsync(McpTaskDraft draft, int maxLive, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({draft.Owner}))", cancellationToken);
        }

        var now = Now;
        var task = new McpTaskRecord
        {
            TaskId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Owner = draft.Owner,
            Tool = draft.Tool,
            ArgumentsJson = draft.ArgumentsJson,
            Status = McpTaskStatus.Working,
            CreatedAt = now,
            LastUpdatedAt = now,
            TtlMs = draft.Ttl is { } t ? (long)t.TotalMilliseconds : null,
            ExpiresAt = draft.Ttl is { } life ? now + life : null,
            PollIntervalMs = (int)draft.PollInterval.TotalMilliseconds,
            LeaseOwner = draft.Worker,
            LeaseExpiresAt = draft.Worker is null ? null : draft.LeaseUntil,
        };
        db.Set<McpTaskRecord>().Add(task);
        foreach (var (key, answer) in draft.Answers ?? new Dictionary<string, string>())
        {
            db.Set<McpTaskInputRequest>().Add(new McpTaskInputRequest { TaskId = task.TaskId, Key = key, RequestJson = "{}", ResponseJson = answer, CreatedAt = now, AnsweredAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (maxLive != int.MaxValue && await CountLiveAsync(draft.Owner, cancellationToken) > maxLive)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return task;
    }

    public Task<McpTaskRecord?> FindAsync(string taskId, string owner, CancellationToken cancellationToken) =>
        Visible(owner).Where(t => t.TaskId == taskId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The owner's tasks a client may see: not past their time to live, or past it but still running (a live lease),
    /// which are kept until they end.
    /// </summary>
    private IQueryable<McpTaskRecord> Visible(string owner)
    {
        var now = Now;
        return db.Set<McpTaskRecord>().AsNoTracking()
            .Where(t => t.Owner == owner && (t.ExpiresAt == null || t.ExpiresAt > now
                || (!Terminal.Contains(t.Status) && t.LeaseOwner != null && t.LeaseExpiresAt >= now)));
    }

    public async Task<IReadOnlyList<McpTaskRecord>> ListAsync(string owner, int skip, int take, CancellationToken cancellationToken) =>
        await Visible(owner)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.TaskId)
            .Skip(skip).Take(take)
            .Select(t => new McpTaskRecord
            {
                TaskId = t.TaskId,
                Owner = t.Owner,
                Tool = t.Tool,
                ArgumentsJson = string.Empty,
                Status = t.Status,
                StatusMessage = t.StatusMessage,
                CreatedAt = t.CreatedAt,
                LastUpdatedAt = t.LastUpdatedAt,
                TtlMs = t.TtlMs,
                ExpiresAt = t.ExpiresAt,
                PollIntervalMs = t.PollIntervalMs,
                CancelRequested = t.CancelRequested,
                Revision = t.Revision,
                ResultIsError = t.ResultIsError,
            })
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlySet<string>> OwnedAsync(IReadOnlyCollection<string> taskIds, string owner, CancellationToken cancellationToken)
    {
        var ids = taskIds.ToList();
        return ids.Count == 0
            ? new HashSet<string>(StringComparer.Ordinal)
            : (await Visible(owner).Where(t => ids.Contains(t.TaskId)).Select(t => t.TaskId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }

    public Task<int> CountLiveAsync(string owner, CancellationToken cancellationToken) =>
        db.Set<McpTaskRecord>().CountAsync(t => t.Owner == owner && !Terminal.Contains(t.Status), cancellationToken);

    public async Task<bool> TryTransitionAsync(string taskId, McpTaskStatus status, string? statusMessage, string? resultJson, string? errorJson, CancellationToken cancellationToken) =>
        await SetStatusAsync(db.Set<McpTaskRecord>().Where(t => t.TaskId == taskId && !Terminal.Contains(t.Status)), status, statusMessage, resultJson, errorJson, Now, cancellationToken) == 1;

    /// <summary>
    /// The one status change: a single conditional <c>UPDATE</c> over <paramref name="tasks"/> (whose filter says
    /// from which states), bumping the revision; a terminal status releases the lease.
    /// </summary>
    private static Task<int> SetStatusAsync(IQueryable<McpTaskRecord> tasks, McpTaskStatus status, string? statusMessage, string? resultJson, string? errorJson, DateTime now, CancellationToken cancellationToken, bool cancelRequested = false, DateTime? keepUntil = null)
    {
        var terminal = McpTaskRecord.IsTerminal(status);
        var resultIsError = McpTaskRecord.IsErrorResult(resultJson);
        return tasks.ExecuteUpdateAsync(
            set => set
                .SetProperty(t => t.CancelRequested, t => cancelRequested || t.CancelRequested)
                .SetProperty(t => t.Status, status)
                .SetProperty(t => t.StatusMessage, statusMessage)
                .SetProperty(t => t.ResultJson, resultJson)
                .SetProperty(t => t.ResultIsError, resultIsError)
                .SetProperty(t => t.ErrorJson, errorJson)
                .SetProperty(t => t.LastUpdatedAt, now)
                .SetProperty(t => t.ExpiresAt, t => keepUntil ?? t.ExpiresAt)
                .SetProperty(t => t.LeaseOwner, t => terminal ? null : t.LeaseOwner)
                .SetProperty(t => t.LeaseExpiresAt, t => terminal ? null : t.LeaseExpiresAt)
                .SetProperty(t => t.Revision, t => t.Revision + 1),
            cancellationToken);
    }

    public async Task<bool> FailExpiredAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await db.Set<McpTaskRecord>().AsNoTracking().Where(t => t.TaskId == taskId).Select(t => new { t.TtlMs }).FirstOrDefaultAsync(cancellationToken);
        if (task is null)
        {
            return false;
        }

        var now = Now;
        return await SetStatusAsync(
            db.Set<McpTaskRecord>().Where(t => t.TaskId == taskId && !Terminal.Contains(t.Status)),
            McpTaskStatus.Failed,
            ExpiredMessage,
            null,
            ExpiredError,
            now,
            cancellationToken,
            keepUntil: now + TimeSpan.FromMilliseconds(task.TtlMs ?? 0)) == 1;
    }

    public async Task<bool> RequestCancelAsync(string taskId, string owner, CancellationToken cancellationToken)
    {
        var cancelled = await SetStatusAsync(
            db.Set<McpTaskRecord>().Where(t => t.TaskId == taskId && t.Owner == owner && !Terminal.Contains(t.Status)),
            McpTaskStatus.Cancelled,
            CancelledMessage,
            null,
            null,
            Now,
            cancellationToken,
            cancelRequested: true);
        return cancelled == 1;
    }

    public async Task<bool> SetStatusMessageAsync(string taskId, string statusMessage, CancellationToken cancellationToken) =>
        await db.Set<McpTaskRecord>()
            .Where(t => t.TaskId == taskId && !Terminal.Contains(t.Status))
            .ExecuteUpdateAsync(
                set => set.SetProperty(t => t.StatusMessage, statusMessage).SetProperty(t => t.LastUpdatedAt, Now).SetProperty(t => t.Revision, t => t.Revision + 1),
                cancellationToken) == 1;

    public async Task<bool> TryLeaseAsync(string taskId, string worker, DateTime until, CancellationToken cancellationToken)
    {
        var now = Now;
        var changed = await db.Set<McpTaskRecord>()
            .Where(t => t.TaskId == taskId && !Terminal.Contains(t.Status) && (t.LeaseOwner == null || t.LeaseOwner == worker || t.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(
                set => set.SetProperty(t => t.LeaseOwner, worker).SetProperty(t => t.LeaseExpiresAt, until).SetProperty(t => t.Revision, t => t.Revision + 1),
                cancellationToken);
        return changed == 1;
    }

    public async Task<bool> RequestInputAsync(string taskId, IReadOnlyDictionary<string, string> requests, string? statusMessage, CancellationToken cancellationToken)
    {
        var keys = requests.Keys.ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Set<McpTaskInputRequest>().AnyAsync(r => r.TaskId == taskId && keys.Contains(r.Key), cancellationToken))
        {
            throw new ArgumentException("An input request key is used only once in a task's life.", nameof(requests));
        }

        if (!await TryTransitionAsync(taskId, McpTaskStatus.InputRequired, statusMessage, null, null, cancellationToken))
        {
            return false;
        }

        var now = Now;
        foreach (var (key, request) in requests)
        {
            db.Set<McpTaskInputRequest>().Add(new McpTaskInputRequest { TaskId = taskId, Key = key, RequestJson = request, CreatedAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return true;
    }

    public async Task<IReadOnlyDictionary<string, string>> PendingInputAsync(string taskId, CancellationToken cancellationToken) =>
        await db.Set<McpTaskInputRequest>().AsNoTracking()
            .Where(r => r.TaskId == taskId && r.ResponseJson == null)
            .ToDictionaryAsync(r => r.Key, r => r.RequestJson, StringComparer.Ordinal, cancellationToken);

    public async Task<IReadOnlyList<string>> AnswerAsync(string taskId, string owner, IReadOnlyDictionary<string, string> responses, CancellationToken cancellationToken)
    {
        var now = Now;
        var accepted = new List<string>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (key, response) in responses)
        {
            var answered = await db.Set<McpTaskInputRequest>()
                .Where(r => r.TaskId == taskId && r.Key == key && r.ResponseJson == null
                    && db.Set<McpTaskRecord>().Any(t => t.TaskId == taskId && t.Owner == owner && t.Status == McpTaskStatus.InputRequired))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ResponseJson, response).SetProperty(r => r.AnsweredAt, now), cancellationToken);
            if (answered == 1)
            {
                accepted.Add(key);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (accepted.Count > 0)
        {
            // After the commit, as its own conditional statement: two answers committed side by side each see the
            // other's, so the last of them moves the task on (inside the transactions neither would).
            var answeredAll = db.Set<McpTaskRecord>().Where(t => t.TaskId == taskId && t.Status == McpTaskStatus.InputRequired
                && !db.Set<McpTaskInputRequest>().Any(r => r.TaskId == taskId && r.ResponseJson == null));
            await SetStatusAsync(answeredAll, McpTaskStatus.Working, null, null, null, now, cancellationToken);
        }

        return accepted;
    }

    public async Task<IReadOnlyDictionary<string, string>> AnswersAsync(string taskId, CancellationToken cancellationToken) =>
        await db.Set<McpTaskInputRequest>().AsNoTracking()
            .Where(r => r.TaskId == taskId && r.ResponseJson != null)
            .ToDictionaryAsync(r => r.Key, r => r.ResponseJson!, StringComparer.Ordinal, cancellationToken);

    public async Task<int> DeleteExpiredAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A task still running (a lease that holds) is kept past its time to live until it ends.
        var expired = db.Set<McpTaskRecord>().Where(t => t.ExpiresAt != null && t.ExpiresAt < now
            && (Terminal.Contains(t.Status) || t.LeaseOwner == null || t.LeaseExpiresAt < now));
        await db.Set<McpTaskInputRequest>().Where(r => expired.Select(t => t.TaskId).Contains(r.TaskId)).ExecuteDeleteAsync(cancellationToken);
        var deleted = await expired.ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<IReadOnlyList<string>> FailAbandonedAsync(DateTime now, CancellationToken cancellationToken)
    {
        var abandoned = await db.Set<McpTaskRecord>().AsNoTracking()
            .Where(t => !Terminal.Contains(t.Status) && t.LeaseOwner != null && t.LeaseExpiresAt < now)
            .Select(t => t.TaskId)
            .ToListAsync(cancellationToken);
        var failed = new List<string>();
        foreach (var taskId in abandoned)
        {
            // Conditional again: a lease renewed (or a task finished) since the read is left alone.
            var changed = await SetStatusAsync(
                db.Set<McpTaskRecord>().Where(t => t.TaskId == taskId && !Terminal.Contains(t.Status) && t.LeaseOwner != null && t.LeaseExpiresAt < now),
                McpTaskStatus.Failed,
                AbandonedMessage,
                null,
                AbandonedError,
                now,
                cancellationToken);
            if (changed == 1)
            {
                failed.Add(taskId);
            }
        }

        return failed;
    }

    public int RenewLeases(IReadOnlyCollection<string> taskIds, string worker, DateTime until)
    {
        var ids = taskIds.ToList();
        return ids.Count == 0
            ? 0
            : db.Set<McpTaskRecord>()
                .Where(t => ids.Contains(t.TaskId) && t.LeaseOwner == worker && !Terminal.Contains(t.Status))
                .ExecuteUpdate(set => set.SetProperty(t => t.LeaseExpiresAt, until));
    }
}
