namespace McpCqrs.Toon;

/// <summary>
/// Facts about this TOON implementation. It targets <c>toon-spec: 4.0</c> (Token-Oriented Object Notation, spec v4.0,
/// github.com/toon-format/spec, release v4.0.0).
/// </summary>
public static class ToonInfo
{
    /// <summary>The TOON specification version implemented by <see cref="ToonEncoder"/> and <see cref="ToonDecoder"/>.</summary>
    public const string SpecVersion = "4.0";

    /// <summary>The version declaration recommended by spec §13.</summary>
    public const string SpecDeclaration = "toon-spec: " + SpecVersion;

    /// <summary>The provisional media type of TOON documents (spec §17).</summary>
    public const string MediaType = "text/toon";
}
