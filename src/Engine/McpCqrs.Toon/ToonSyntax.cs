using System.Buffers;
using System.Numerics;
using System.Text;

namespace McpCqrs.Toon;

/// <summary>Lexical rules shared by the encoder and the decoder: keys, quoting, escaping (spec §7).</summary>
internal static class ToonSyntax
{
    /// <summary>
    /// Spec §7.3: keys and field names may be unquoted only if they match <c>^[A-Za-z_][A-Za-z0-9_.]*$</c>. Reads UTF-16
    /// (the decoder) or UTF-8 (the encoder): the pattern is ASCII, so any other code unit fails it in either.
    /// </summary>
    public static bool IsUnquotedKey<T>(ReadOnlySpan<T> key)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (key.IsEmpty || !(IsAsciiLetter(key[0]) || key[0] == T.CreateTruncating('_')))
        {
            return false;
        }

        foreach (var c in key[1..])
        {
            if (!(IsAsciiLetter(c) || ToonNumber.IsAsciiDigit(c) || c == T.CreateTruncating('_') || c == T.CreateTruncating('.')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiLetter<T>(T c)
        where T : unmanaged, IBinaryInteger<T> => (uint.CreateTruncating(c) | 0x20) - 'a' <= 'z' - 'a';

    /// <summary>Writes a key or field name (valid UTF-8), quoted where §7.3 says so.</summary>
    public static void AppendKey(Utf8Text text, ReadOnlySpan<byte> key)
    {
        if (IsUnquotedKey(key))
        {
            text.Append(key);
        }
        else
        {
            AppendQuoted(text, key);
        }
    }

    /// <summary>Spec §7.2: whether a string value (valid UTF-8) must be quoted, given the relevant delimiter (§11.1).</summary>
    public static bool NeedsQuotes(ReadOnlySpan<byte> value, byte delimiter)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var first = value[0];
        var last = value[^1];
        if (first is (byte)' ' or (byte)'\t' or (byte)'-' or (byte)'#' || last is (byte)' ' or (byte)'\t')
        {
            return true;
        }

        if (value.SequenceEqual("true"u8) || value.SequenceEqual("false"u8) || value.SequenceEqual("null"u8) || ToonNumber.IsNumericLike(value))
        {
            return true;
        }

        return value.ContainsAny(delimiter switch
        {
            (byte)',' => s_quotedWithComma,
            (byte)'|' => s_quotedWithPipe,
            _ => s_quoted, // the tab is a control character
        });
    }

    /// <summary>The characters that make a string quoted (§7.2): structural ones and C0 controls, plus the delimiter.</summary>
    private const string Quoted = ":\"\\[]{}\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f";

    private static readonly SearchValues<byte> s_quoted = SearchValues.Create(Encoding.ASCII.GetBytes(Quoted));
    private static readonly SearchValues<byte> s_quotedWithComma = SearchValues.Create(Encoding.ASCII.GetBytes(Quoted + ","));
    private static readonly SearchValues<byte> s_quotedWithPipe = SearchValues.Create(Encoding.ASCII.GetBytes(Quoted + "|"));

    /// <summary>Writes a string value (valid UTF-8), quoted where §7.2 says so.</summary>
    public static void AppendString(Utf8Text text, ReadOnlySpan<byte> value, byte delimiter)
    {
        if (NeedsQuotes(value, delimiter))
        {
            AppendQuoted(text, value);
        }
        else
        {
            text.Append(value);
        }
    }

    /// <summary>
    /// Spec §7.1 encoder column: <c>\\ \" \n \r \t</c>, other C0 controls as lowercase <c>\u00xx</c>, everything else
    /// literal. Every character escaped is ASCII, so the UTF-8 of any other character is copied as it is.
    /// </summary>
    public static void AppendQuoted(Utf8Text text, ReadOnlySpan<byte> value)
    {
        text.Append((byte)'"');
        while (value.IndexOfAny(s_escaped) is var i and >= 0)
        {
            text.Append(value[..i]);
            var c = value[i];
            value = value[(i + 1)..];
            switch (c)
            {
                case (byte)'"':
                    text.Append("\\\""u8);
                    break;
                case (byte)'\\':
                    text.Append("\\\\"u8);
                    break;
                case (byte)'\n':
                    text.Append("\\n"u8);
                    break;
                case (byte)'\r':
                    text.Append("\\r"u8);
                    break;
                case (byte)'\t':
                    text.Append("\\t"u8);
                    break;
                default:
                    text.Append("\\u00"u8);
                    text.Append((byte)HexDigit(c >> 4));
                    text.Append((byte)HexDigit(c & 0xF));
                    break;
            }
        }

        text.Append(value);
        text.Append((byte)'"');
    }

    /// <summary>What a quoted string escapes: the quote, the backslash and the C0 controls.</summary>
    private static readonly SearchValues<byte> s_escaped = SearchValues.Create(Encoding.ASCII.GetBytes("\"\\" + Quoted[7..]));

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
