namespace McpCqrs.Toon;

internal enum ToonHeaderResult
{
    /// <summary>The line is not a header; classify it as a key-value or scalar line.</summary>
    NotHeader,

    /// <summary>A well-formed header.</summary>
    Header,

    /// <summary>The line starts like a header but breaks the §6 grammar (a strict-mode error).</summary>
    Malformed,
}

/// <summary>A parsed array or keyed header (spec §6).</summary>
internal sealed class ToonHeader
{
    /// <summary>The key, or <see langword="null"/> for a keyless header.</summary>
    public string? Key { get; private init; }

    public int Length { get; private init; }

    /// <summary>A keyed tabular header (<c>[N:]</c>, §9.5).</summary>
    public bool Keyed { get; private init; }

    public char Delimiter { get; private init; }

    public ToonField[]? Fields { get; private init; }

    public int LeafCount { get; private init; }

    /// <summary>The content after the colon, trimmed of spaces.</summary>
    public string Inline { get; private init; } = string.Empty;

    /// <summary>
    /// Parses <paramref name="s"/> (a line's content after its indentation and any list-item marker) as a header.
    /// A line is a header candidate when its first unquoted <c>[</c> precedes its first unquoted colon and the text
    /// before the <c>[</c> is empty, a quoted key, or an unquoted key matching §7.3; anything else is not a header
    /// (e.g. <c>foo [2]: bar</c> is a key-value line, §5.2). Invalid escapes in quoted names throw.
    /// </summary>
    public static ToonHeaderResult TryParse(string s, bool strict, int maxDepth, int line, out ToonHeader? header, out string? error)
    {
        header = null;
        error = null;
        var bracket = ToonSyntax.IndexOfUnquoted(s, '[');
        var colon = ToonSyntax.IndexOfUnquoted(s, ':');
        if (bracket < 0 || colon < 0 || colon < bracket)
        {
            return ToonHeaderResult.NotHeader;
        }

        string? key = null;
        if (bracket > 0)
        {
            if (s[0] == '"')
            {
                key = ToonSyntax.ReadQuoted(s, 0, line, out var keyEnd);
                if (keyEnd != bracket)
                {
                    return ToonHeaderResult.NotHeader;
                }
            }
            else if (ToonSyntax.IsUnquotedKey(s.AsSpan(0, bracket)))
            {
                key = s[..bracket];
            }
            else
            {
                return ToonHeaderResult.NotHeader;
            }
        }

        var close = s.IndexOf(']', bracket + 1);
        if (close < 0)
        {
            return Malformed("Unterminated bracket segment: missing ']'.", out error);
        }

        var inner = s.AsSpan(bracket + 1, close - bracket - 1);
        var i = 0;
        while (i < inner.Length && char.IsAsciiDigit(inner[i]))
        {
            i++;
        }

        if (i == 0 || (i > 1 && inner[0] == '0') || !int.TryParse(inner[..i], out var length))
        {
            return Malformed(
                $"Invalid bracket segment '[{inner}]': the length must be a non-negative integer without leading zeros (e.g. [3], [3|], [3:]).",
                out error);
        }

        var keyed = false;
        if (i < inner.Length && inner[i] == ':')
        {
            keyed = true;
            i++;
        }

        var delimiter = ',';
        if (i < inner.Length && inner[i] is '\t' or '|')
        {
            delimiter = inner[i];
            i++;
        }

        if (i != inner.Length)
        {
            return Malformed(
                $"Invalid bracket segment '[{inner}]': after the length only ':' (keyed) and then a tab or '|' delimiter may follow.",
                out error);
        }

        var p = close + 1;
        ToonField[]? fields = null;
        if (p < s.Length && s[p] == '{')
        {
            fields = ParseFieldGroup(s, ref p, delimiter, strict, maxDepth, line, out error);
            if (fields is null)
            {
                return ToonHeaderResult.Malformed;
            }
        }

        if (p >= s.Length || s[p] != ':')
        {
            return Malformed(
                fields is null
                    ? "Unexpected content after the bracket segment: a header's ']' must be followed directly by '{' or ':'."
                    : "Unexpected content after the fields segment: a header's '}' must be followed directly by ':'.",
                out error);
        }

        var rest = s[(p + 1)..].Trim(' ');
        if (fields is not null && rest.Length > 0)
        {
            return Malformed("A header with a fields segment carries no inline values after its colon.", out error);
        }

        if (keyed && fields is null)
        {
            return Malformed("A keyed header ([N:]) requires a fields segment, e.g. key[2:]{a,b}:.", out error);
        }

        header = new ToonHeader
        {
            Key = key,
            Length = length,
            Keyed = keyed,
            Delimiter = delimiter,
            Fields = fields,
            LeafCount = fields is null ? 0 : CountLeaves(fields),
            Inline = rest,
        };
        return ToonHeaderResult.Header;
    }

    private static ToonHeaderResult Malformed(string message, out string? error)
    {
        error = message;
        return ToonHeaderResult.Malformed;
    }

    /// <summary>Parses <c>{…}</c> at <paramref name="p"/> (quote-aware, recursive); leaves <paramref name="p"/> after the '}'.</summary>
    private static ToonField[]? ParseFieldGroup(
        string s, ref int p, char delimiter, bool strict, int depthLeft, int line, out string? error)
    {
        error = null;
        if (depthLeft <= 0)
        {
            error = "Nested field groups are nested deeper than MaxDepth.";
            return null;
        }

        var fields = new List<ToonField>();
        p++; // '{'
        while (true)
        {
            SkipSpaces(s, ref p);
            if (p >= s.Length)
            {
                error = "Unmatched '{' in the fields segment.";
                return null;
            }

            string name;
            if (s[p] == '"')
            {
                name = ToonSyntax.ReadQuoted(s, p, line, out p);
            }
            else
            {
                var start = p;
                while (p < s.Length && s[p] != delimiter && s[p] != '{' && s[p] != '}')
                {
                    p++;
                }

                name = s[start..p].Trim(' ');
                if (name.Length == 0)
                {
                    error = fields.Count == 0 && p < s.Length && s[p] == '}'
                        ? "Empty fields segment '{}': a field list needs at least one field."
                        : "Empty field name in the fields segment.";
                    return null;
                }

                if (strict && name.AsSpan().IndexOfAny(",|\t") >= 0)
                {
                    error = $"Field list delimiter does not match the bracket segment's delimiter ('{Describe(delimiter)}').";
                    return null;
                }
            }

            SkipSpaces(s, ref p);
            ToonField[]? children = null;
            if (p < s.Length && s[p] == '{')
            {
                children = ParseFieldGroup(s, ref p, delimiter, strict, depthLeft - 1, line, out error);
                if (children is null)
                {
                    return null;
                }

                SkipSpaces(s, ref p);
            }

            fields.Add(new ToonField(name, children));
            if (p >= s.Length)
            {
                error = "Unmatched '{' in the fields segment.";
                return null;
            }

            if (s[p] == delimiter)
            {
                p++;
                continue;
            }

            if (s[p] == '}')
            {
                p++;
                return [.. fields];
            }

            error = $"Unexpected '{s[p]}' in the fields segment; fields are separated by the bracket segment's delimiter ('{Describe(delimiter)}').";
            return null;
        }
    }

    private static void SkipSpaces(string s, ref int p)
    {
        while (p < s.Length && s[p] == ' ')
        {
            p++;
        }
    }

    private static int CountLeaves(ToonField[] fields)
    {
        var count = 0;
        foreach (var field in fields)
        {
            count += field.Children is { } children ? CountLeaves(children) : 1;
        }

        return count;
    }

    internal static string Describe(char delimiter) => delimiter switch
    {
        '\t' => "tab",
        '|' => "|",
        _ => ",",
    };
}
