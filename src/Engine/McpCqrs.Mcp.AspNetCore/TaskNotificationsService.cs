using McpCqrs.Mcp.Tasks;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>Runs <see cref="TaskNotifications"/> for the host's lifetime.</summary>
internal sealed class TaskNotificationsService(TaskNotifications notifications) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        notifications.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        notifications.Dispose();
        return Task.CompletedTask;
    }
}
