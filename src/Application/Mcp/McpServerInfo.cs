using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp;

/// <summary>How the server introduces itself in <c>initialize</c>, and its list defaults. Bound from <c>Mcp:Server</c>.</summary>
public sealed class McpServerInfo
{
    public const string SectionName = "Mcp:Server";

    [Required]
    public string Name { get; set; } = "mcpcqrs";

    public string? Title { get; set; } = "McpCqrs support desk";

    [Required]
    public string Version { get; set; } = typeof(McpServerInfo).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    public string? Instructions { get; set; } =
        "A support desk: customers raise tickets, agents assign, comment on and close them. " +
        "Use the ticket tools to look things up before you change them; a closed ticket can only be reopened.";

    /// <summary>Items per page of <c>tools/list</c> (and the other lists).</summary>
    [Range(1, 1000)]
    public int ListPageSize { get; set; } = 50;

    /// <summary>
    /// <c>serverInfo</c> of the <c>initialize</c> answer: one instance while the settings stay as they are, so the
    /// answer's JSON is made once (see the session era's cache).
    /// </summary>
    public ModelContextProtocol.Protocol.Implementation Implementation()
    {
        var current = _implementation;
        if (current is null || current.Name != Name || current.Title != Title || current.Version != Version)
        {
            _implementation = current = new ModelContextProtocol.Protocol.Implementation { Name = Name, Title = Title, Version = Version };
        }

        return current;
    }

    private ModelContextProtocol.Protocol.Implementation? _implementation;

    /// <summary>Log messages at or above this level go to a client that has not called <c>logging/setLevel</c>.</summary>
    public LoggingLevel DefaultLogLevel { get; set; } = LoggingLevel.Info;
}
