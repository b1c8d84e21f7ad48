namespace McpCqrs.Application.Common;

/// <summary>The sample desk's icons (SVG as data: URIs, so clients need not fetch them).</summary>
public static class DeskIcons
{
    public const string MimeType = "image/svg+xml";

    /// <summary>A blue ticket.</summary>
    public const string Ticket = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNCAyNCI+PHBhdGggZmlsbD0iIzI1NjNlYiIgZD0iTTMgNmgxOHY0YTIgMiAwIDAgMCAwIDR2NEgzdi00YTIgMiAwIDAgMCAwLTR6Ii8+PC9zdmc+";

    /// <summary>A green person.</summary>
    public const string Customer = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNCAyNCI+PGNpcmNsZSBjeD0iMTIiIGN5PSI4IiByPSI0IiBmaWxsPSIjMDU5NjY5Ii8+PHBhdGggZmlsbD0iIzA1OTY2OSIgZD0iTTQgMjFhOCA4IDAgMCAxIDE2IDB6Ii8+PC9zdmc+";

    /// <summary>The desk itself (the server's icon in appsettings.json is the same picture).</summary>
    public const string Desk = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNCAyNCI+PHJlY3QgeD0iMiIgeT0iNCIgd2lkdGg9IjIwIiBoZWlnaHQ9IjE2IiByeD0iMyIgZmlsbD0iIzFlMjkzYiIvPjxwYXRoIGZpbGw9IiMzOGJkZjgiIGQ9Ik02IDloMTJ2Mkg2em0wIDRoOHYySDZ6Ii8+PC9zdmc+";
}
