using System.Buffers;
using System.Text;

namespace McpCqrs.Toon;

/// <summary>Lexical rules shared by the encoder and the decoder: keys, quoting, escaping (spec §7).</summary>
internal static class ToonSyntax
{
    /// <summary>Spec §7.3: keys and field names may be unquoted only if they match <c>^[A-Za-z_][A-Za-z0-9_.]*$</c>.</summary>
    public static bool IsUnquotedKey(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty || !(char.IsAsciiLetter(key[0]) || key[0] == '_'))
        {
            return false;
        }

        foreach (var c in key[1..])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.'))
            {
                return false;
            }
        }

        return true;
    }

    public static void AppendKey(StringBuilder sb, ReadOnlySpan<char> key)
    {
        if (IsUnquotedKey(key))
        {
            sb.Append(key);
        }
        else
        {
            AppendQuoted(sb, key);
        }
    }

    /// <summary>Spec §7.2: whether a string value must be quoted, given the relevant delimiter (§11.1).</summary>
    public static bool NeedsQuotes(ReadOnlySpan<char> value, char delimiter)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var first = value[0];
        var last = value[^1];
        if (first is ' ' or '\t' or '-' or '#' || last is ' ' or '\t')
        {
            return true;
        }

        if (value is "true" or "false" or "null" || ToonNumber.IsNumericLike(value))
        {
            return true;
        }

        return value.ContainsAny(delimiter switch
        {
            ',' => s_quotedWithComma,
            '|' => s_quotedWithPipe,
            _ => s_quoted, // the tab is a control character
        });
    }

    /// <summary>The characters that make a string quoted (§7.2): structural ones and C0 controls, plus the delimiter.</summary>
    private const string Quoted = ":\"\\[]{}\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f";

    private static readonly SearchValues<char> s_quoted = SearchValues.Create(Quoted);
    private static readonly SearchValues<char> s_quotedWithComma = SearchValues.Create(Quoted + ",");
    private static readonly SearchValues<char> s_quotedWithPipe = SearchValues.Create(Quoted + "|");

    public static void AppendString(StringBuilder sb, ReadOnlySpan<char> value, char delimiter)
    {
        if (NeedsQuotes(value, delimiter))
        {
            AppendQuoted(sb, value);
        }
        else
        {
            sb.Append(value);
        }
    }

    /// <summary>Spec §7.1 encoder column: <c>\\ \" \n \r \t</c>, other C0 controls as lowercase <c>\u00xx</c>, everything else literal.</summary>
    public static void AppendQuoted(StringBuilder sb, ReadOnlySpan<char> value)
    {
        sb.Append('"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is not ('"' or '\\' or < ' '))
            {
                continue;
            }

            sb.Append(value[start..i]);
            start = i + 1;
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    sb.Append("\\u00").Append(HexDigit(c >> 4)).Append(HexDigit(c & 0xF));
                    break;
            }
        }

        sb.Append(value[start..]).Append('"');
    }

    /// <summary>Whether a string is well-formed UTF-16 (no unpaired surrogate), i.e. representable as UTF-8 text.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Index of the first occurrence of <paramref name="target"/> outside double quotes (a backslash inside quotes
    /// escapes the next character), or -1. Mirrors spec Appendix B.3.
    /// </summary>
    public static int IndexOfUnquoted(string s, char target, int start = 0)
    {
        var inQuotes = false;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == target)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Splits on unquoted occurrences of <paramref name="delimiter"/>, keeping empty tokens and trimming U+0020 around
    /// each (spec §11.2, §12).
    /// </summary>
    public static List<string> SplitDelimited(string s, char delimiter)
    {
        var tokens = new List<string>();
        var start = 0;
        for (var end = IndexOfUnquoted(s, delimiter); end >= 0; end = IndexOfUnquoted(s, delimiter, start))
        {
            tokens.Add(s[start..end].Trim(' '));
            start = end + 1;
        }

        tokens.Add(s[start..].Trim(' '));
        return tokens;
    }

    /// <summary>
    /// Reads the quoted string starting at <paramref name="start"/> (which holds <c>"</c>), unescaping per spec §7.1.
    /// Returns the index just past the closing quote.
    /// </summary>
    public static string ReadQuoted(string s, int start, int line, out int end)
    {
        StringBuilder? sb = null;
        var runStart = start + 1;
        var i = start + 1;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"')
            {
                end = i + 1;
                return sb is null ? s[runStart..i] : sb.Append(s, runStart, i - runStart).ToString();
            }

            if (c != '\\')
            {
                i++;
                continue;
            }

            sb ??= new StringBuilder();
            sb.Append(s, runStart, i - runStart);
            if (i + 1 >= s.Length)
            {
                break;
            }

            var escape = s[i + 1];
            switch (escape)
            {
                case '\\':
                case '"':
                    sb.Append(escape);
                    i += 2;
                    break;
                case 'n':
                    sb.Append('\n');
                    i += 2;
                    break;
                case 'r':
                    sb.Append('\r');
                    i += 2;
                    break;
                case 't':
                    sb.Append('\t');
                    i += 2;
                    break;
                case 'u':
                    var code = 0;
                    for (var k = 0; k < 4; k++)
                    {
                        var digit = i + 2 + k < s.Length ? HexValue(s[i + 2 + k]) : -1;
                        if (digit < 0)
                        {
                            throw new ToonFormatException(
                                "Invalid unicode escape: '\\u' must be followed by exactly four hex digits.", line);
                        }

                        code = (code << 4) | digit;
                    }

                    if (code is >= 0xD800 and <= 0xDFFF)
                    {
                        throw new ToonFormatException(
                            $"Invalid unicode escape '\\u{code:X4}': surrogate code points cannot be escaped; write the character literally.",
                            line);
                    }

                    sb.Append((char)code);
                    i += 6;
                    break;
                default:
                    throw new ToonFormatException(
                        $"Invalid escape sequence '\\{escape}' (allowed: \\\\ \\\" \\n \\r \\t \\uXXXX).", line);
            }

            runStart = i;
        }

        throw new ToonFormatException("Unterminated quoted string.", line);
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
