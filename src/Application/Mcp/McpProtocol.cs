namespace McpCqrs.Application.Mcp;

/// <summary>Protocol revisions this server speaks (session-based era).</summary>
public static class McpProtocol
{
    public const string LatestVersion = "2025-11-25";

    /// <summary>The revision assumed when a request carries no <c>MCP-Protocol-Version</c> header and no session says otherwise.</summary>
    public const string DefaultVersion = "2025-03-26";

    /// <summary>Accepted in <c>initialize</c> and in the <c>MCP-Protocol-Version</c> header, newest first.</summary>
    public static IReadOnlyList<string> SupportedVersions { get; } = [LatestVersion, "2025-06-18", "2025-03-26"];

    public static bool IsSupported(string? version) => version is not null && SupportedVersions.Contains(version, StringComparer.Ordinal);
}
