using McpCqrs.Mcp.Resources;

namespace McpCqrs.Application.Tickets;

/// <summary>The URIs under which tickets are MCP resources.</summary>
public static class TicketResources
{
    public const string Template = "tickets://{id}";

    private static readonly UriTemplateMatcher Matcher = new(Template);

    public static string Uri(int id) => Matcher.Expand(new Dictionary<string, object?> { ["id"] = id });
}
