namespace McpCqrs.Mcp.Tasks;

/// <summary>Session era: the sessions that created tasks, so each hears of its tasks' changes (<c>notifications/tasks/status</c>).</summary>
public interface IMcpTaskWatchers
{
    /// <summary>The session <paramref name="sessionId"/> created <paramref name="task"/> and hears of its changes.</summary>
    void Track(McpTaskRecord task, string sessionId);
}
