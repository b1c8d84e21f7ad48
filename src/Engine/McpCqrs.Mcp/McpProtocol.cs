namespace McpCqrs.Mcp;

/// <summary>
/// The two families of MCP revisions this server speaks on one endpoint. The words are used everywhere (types,
/// options, docs): <see cref="Session"/> for the revisions up to 2025-11-25 (a session opened by <c>initialize</c>,
/// server→client requests on SSE), <see cref="Stateless"/> for 2026-07-28 (every request self-contained, input asked
/// for with <c>input_required</c>).
/// </summary>
public enum McpEra
{
    /// <summary>2025-11-25 and earlier: sessions, <c>initialize</c>, the GET stream, server→client requests.</summary>
    Session,

    /// <summary>2026-07-28: no session; <c>server/discover</c>, <c>resultType</c>, <c>input_required</c>, <c>subscriptions/listen</c>.</summary>
    Stateless,
}

/// <summary>The protocol revisions of both eras: the one list the transport, the handlers and discovery read.</summary>
public static class McpProtocol
{
    public const string LatestVersion = "2025-11-25";

    /// <summary>The revision assumed when a request carries no <c>MCP-Protocol-Version</c> header and no session says otherwise.</summary>
    public const string DefaultVersion = "2025-03-26";

    /// <summary>The stateless revision served.</summary>
    public const string StatelessVersion = "2026-07-28";

    /// <summary>Session era: accepted in <c>initialize</c> and in the <c>MCP-Protocol-Version</c> header, newest first.</summary>
    public static IReadOnlyList<string> SupportedVersions { get; } = [LatestVersion, "2025-06-18", DefaultVersion];

    /// <summary>Stateless era: the revisions <c>server/discover</c> names.</summary>
    public static IReadOnlyList<string> StatelessVersions { get; } = [StatelessVersion];

    /// <summary>Every session-era revision ever published (supported or not): a version header naming one of them is not a stateless request.</summary>
    private static readonly HashSet<string> SessionEraVersions = new(StringComparer.Ordinal) { "2024-11-05", "2025-03-26", "2025-06-18", LatestVersion };

    private static readonly HashSet<string> Supported = new(SupportedVersions, StringComparer.Ordinal);

    /// <summary>Whether the session era serves <paramref name="version"/> (asked on every request: a set, no enumerator).</summary>
    public static bool IsSupported(string? version) => version is not null && Supported.Contains(version);

    /// <summary>Whether <paramref name="version"/> names a revision of the session era (published, supported or not).</summary>
    public static bool IsSessionEra(string version) => SessionEraVersions.Contains(version);
}
