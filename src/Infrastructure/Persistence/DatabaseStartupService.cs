using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpCqrs.Infrastructure.Persistence;

/// <summary>What to do with the database when the host starts.</summary>
internal sealed record DatabaseStartup(bool Migrate, bool Seed);

/// <summary>
/// Migrates (and seeds) the database before the host accepts requests, when <see cref="DatabaseStartup.Migrate"/>
/// says so. A failure stops the start: a host must not serve against a schema it does not know.
/// </summary>
internal sealed class DatabaseStartupService(IServiceScopeFactory scopes, DatabaseStartup startup) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!startup.Migrate)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(startup.Seed, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
