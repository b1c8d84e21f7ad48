namespace McpCqrs.Mcp.Streams;

/// <summary>Limits of the replay buffer. Bound from <c>Mcp:Replay</c>.</summary>
public sealed class SseReplayOptions
{
    public const string SectionName = "Mcp:Replay";

    /// <summary>Events kept per session (all its streams together); the oldest go first.</summary>
    public int MaxEventsPerSession { get; set; } = 1000;

    /// <summary>Events older than this are dropped.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);
}
