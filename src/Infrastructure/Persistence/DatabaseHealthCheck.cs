using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpCqrs.Infrastructure.Persistence;

/// <summary>
/// Readiness of the database: reachable, and its schema holds every migration this build knows. A host whose
/// database was not migrated yet (production runs <c>migrate</c> separately) is alive but not ready.
/// Once the schema was seen up to date, later checks only test the connection.
/// </summary>
internal sealed class DatabaseHealthCheck(AppDbContext db, DatabaseSchemaState state) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("The database cannot be reached.");
            }

            if (!state.UpToDate)
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    return HealthCheckResult.Unhealthy(
                        $"The database schema is behind: {pending.Count} migration(s) pending; run the 'migrate' command.");
                }

                state.UpToDate = true;
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database check failed.", ex);
        }
    }
}

/// <summary>Remembers, for the life of the process, that the schema was found up to date.</summary>
internal sealed class DatabaseSchemaState
{
    public volatile bool UpToDate;
}
