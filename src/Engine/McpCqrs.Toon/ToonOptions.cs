namespace McpCqrs.Toon;

/// <summary>
/// Encoder options (spec §13). <see cref="Indent"/> is the spec's <c>indentSize</c> and <see cref="Delimiter"/> its
/// document <c>delimiter</c>.
/// </summary>
/// <remarks>
/// There is deliberately no length-marker option: spec v4.0 has none, and its header grammar
/// (<c>length = "0" / %x31-39 *DIGIT</c>) makes a marked length such as <c>[#3]</c> a malformed header that strict
/// decoders must reject.
/// </remarks>
public sealed record ToonOptions
{
    /// <summary>The default options: two-space indentation, comma delimiter.</summary>
    public static ToonOptions Default { get; } = new();

    /// <summary>Spaces per indentation level (spec <c>indentSize</c>, default 2, at least 1).</summary>
    public int Indent { get; init; } = 2;

    /// <summary>
    /// The document delimiter (spec §11.1): <c>','</c> (default), <c>'\t'</c> or <c>'|'</c>. Every array header the
    /// encoder writes declares this delimiter, so it is also the active delimiter of every array.
    /// </summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// The deepest container nesting the encoder accepts (the root container is depth 1); deeper input cannot be
    /// encoded. Defaults to 64, the System.Text.Json default.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    internal void Validate()
    {
        if (Indent < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Indent), Indent, "Indent must be at least 1.");
        }

        if (Delimiter is not (',' or '\t' or '|'))
        {
            throw new ArgumentOutOfRangeException(nameof(Delimiter), Delimiter, "Delimiter must be ',', '\\t' or '|'.");
        }

        if (MaxDepth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "MaxDepth must be at least 1.");
        }
    }
}

/// <summary>
/// Decoder options (spec §13). <see cref="Indent"/> is the spec's <c>indentSize</c>; <see cref="Strict"/> its
/// <c>strict</c> flag.
/// </summary>
public sealed record ToonDecodeOptions
{
    /// <summary>The default options: two-space indentation, strict mode.</summary>
    public static ToonDecodeOptions Default { get; } = new();

    /// <summary>Expected spaces per indentation level (spec <c>indentSize</c>, default 2, at least 1).</summary>
    public int Indent { get; init; } = 2;

    /// <summary>
    /// Strict mode (default <see langword="true"/>): every condition of spec §14 is an error. When
    /// <see langword="false"/>, the decoder applies the spec's non-strict behaviour: depth is
    /// <c>floor(spaces / Indent)</c>, a tab in indentation counts as <see cref="Indent"/> spaces, blank lines are
    /// ignored everywhere, counts and row widths are not checked (missing cells leave their fields out, extra cells
    /// are dropped), over-indented lines and lines without a colon at entry depth are skipped, duplicate keys resolve
    /// last-write-wins, malformed headers fall through to key-value lines with a literal key, and content after a
    /// completed root array or keyed root object is ignored. A line with no colon where a key is expected is an error
    /// in both modes.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// The deepest container nesting the decoder builds (the root container is depth 1). Defaults to 64, the
    /// System.Text.Json default.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    internal void Validate()
    {
        if (Indent < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Indent), Indent, "Indent must be at least 1.");
        }

        if (MaxDepth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "MaxDepth must be at least 1.");
        }
    }
}
