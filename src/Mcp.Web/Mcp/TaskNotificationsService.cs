using McpCqrs.Application.Mcp.Tasks;

namespace McpCqrs.Web.Mcp;

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
