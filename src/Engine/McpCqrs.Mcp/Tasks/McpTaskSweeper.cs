using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// Every <see cref="McpTaskOptions.SweepInterval"/>: fails the tasks whose worker died (lease expired, no finish)
/// and deletes the tasks past their time to live. Every instance sweeps; the conditional statements make it
/// harmless when two do at once.
/// </summary>
internal sealed partial class McpTaskSweeper(IServiceScopeFactory scopes, IOptions<McpTaskOptions> options, TimeProvider clock, ILogger<McpTaskSweeper> logger) : BackgroundService
{
    /// <summary>One sweep: (tasks failed, tasks deleted). Each failed task is announced, so its listeners hear of it.</summary>
    public async Task<(int Failed, int Deleted)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IMcpTaskStore>();
        var events = scope.ServiceProvider.GetService<IMcpTaskEvents>();
        var now = clock.GetUtcNow().UtcDateTime;
        var failed = await store.FailAbandonedAsync(now, cancellationToken);
        foreach (var taskId in failed)
        {
            if (events is not null)
            {
                await events.PublishAsync(taskId, cancellationToken);
            }
        }

        return (failed.Count, await store.DeleteExpiredAsync(now, cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var (failed, deleted) = await SweepOnceAsync(stoppingToken);
                if (failed > 0)
                {
                    LogAbandoned(logger, failed);
                }

                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be briefly unreachable or not migrated yet: the next tick tries again.
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} task(s) failed: the instance running them stopped before they finished")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} expired task(s) deleted")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The task sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
