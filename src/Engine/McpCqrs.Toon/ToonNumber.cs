using System.Numerics;
using System.Text;

namespace McpCqrs.Toon;

/// <summary>
/// Exact decimal arithmetic on number text for spec §2 (canonical form) and §4 (decoder number grammar). Numbers are
/// never routed through a binary floating-point type, so any JSON number keeps its exact value.
/// </summary>
internal static class ToonNumber
{
    /// <summary>
    /// True for an integer already in canonical form: <c>0</c>, or an optional minus and 1 to 21 digits without a
    /// leading zero (below 1e21 integers are written plainly). Such text needs no rewriting (the common case).
    /// </summary>
    public static bool IsCanonicalInteger(ReadOnlySpan<byte> text)
    {
        if (text is [(byte)'0'])
        {
            return true;
        }

        var digits = text is [(byte)'-', ..] ? text[1..] : text;
        if (digits.Length is 0 or > 21 || digits[0] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Rewrites a decimal number (<c>-?digits(.digits)?([eE][+-]?digits)?</c>) in the spec §2 canonical form: plain
    /// decimal without exponent, leading or trailing zeros when <c>1e-6 &lt;= |n| &lt; 1e21</c>; otherwise
    /// <c>d.ddde±x</c> with a lowercase <c>e</c> and an explicit exponent sign. Zero (including -0) becomes
    /// <c>0</c>. Returns <see langword="false"/> when the text is not such a number or its exponent does not fit in
    /// 18 digits.
    /// </summary>
    public static bool TryCanonicalize(ReadOnlySpan<char> text, out string canonical)
    {
        canonical = string.Empty;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == '-')
        {
            negative = true;
            i++;
        }

        var intStart = i;
        i = SkipDigits(text, i);

        var intDigits = text[intStart..i];
        if (intDigits.IsEmpty)
        {
            return false;
        }

        var fracDigits = ReadOnlySpan<char>.Empty;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var fracStart = i;
            i = SkipDigits(text, i);

            fracDigits = text[fracStart..i];
            if (fracDigits.IsEmpty)
            {
                return false;
            }
        }

        long exponent = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                expNegative = text[i] == '-';
                i++;
            }

            var expStart = i;
            i = SkipDigits(text, i);

            var expDigits = text[expStart..i].TrimStart('0');
            if (i == expStart)
            {
                return false;
            }

            if (expDigits.Length > 18)
            {
                // Only a zero significand survives an exponent this large.
                if (IsAllZeros(intDigits) && IsAllZeros(fracDigits) && i == text.Length)
                {
                    canonical = "0";
                    return true;
                }

                return false;
            }

            foreach (var c in expDigits)
            {
                exponent = (exponent * 10) + (c - '0');
            }

            if (expNegative)
            {
                exponent = -exponent;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        // value = digits × 10^scale, digits = intDigits ++ fracDigits.
        var digits = new StringBuilder(intDigits.Length + fracDigits.Length);
        digits.Append(intDigits).Append(fracDigits);
        var scale = exponent - fracDigits.Length;

        var lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        if (lead == digits.Length)
        {
            canonical = "0";
            return true;
        }

        var end = digits.Length;
        while (digits[end - 1] == '0')
        {
            end--;
            scale++;
        }

        var significand = digits.ToString(lead, end - lead);
        var count = significand.Length;
        var scientific = scale + count - 1; // value = d.ddd × 10^scientific

        var result = new StringBuilder(count + 24);
        if (negative)
        {
            result.Append('-');
        }

        if (scientific is >= -6 and <= 20)
        {
            if (scale >= 0)
            {
                result.Append(significand).Append('0', (int)scale);
            }
            else if (scientific >= 0)
            {
                var point = (int)(count + scale);
                result.Append(significand, 0, point).Append('.').Append(significand, point, count - point);
            }
            else
            {
                result.Append("0.").Append('0', (int)(-scientific - 1)).Append(significand);
            }
        }
        else
        {
            result.Append(significand[0]);
            if (count > 1)
            {
                result.Append('.').Append(significand, 1, count - 1);
            }

            result.Append('e').Append(scientific < 0 ? '-' : '+');
            result.Append(Math.Abs(scientific).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        canonical = result.ToString();
        return true;
    }

    /// <summary>
    /// The spec §4 decoder number grammar: <c>/^-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$/i</c> without a forbidden
    /// leading zero (an integer part of two or more digits starting with 0).
    /// </summary>
    public static bool IsDecodableNumber(ReadOnlySpan<char> token)
    {
        var i = token.Length > 0 && token[0] == '-' ? 1 : 0;
        var intStart = i;
        i = SkipDigits(token, i);

        var intLength = i - intStart;
        if (intLength == 0 || (intLength > 1 && token[intStart] == '0'))
        {
            return false;
        }

        return MatchesFractionAndExponent(token, i);
    }

    /// <summary>
    /// The spec §7.2 numeric-like test for string values: <c>/^[+-]?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$/i</c>
    /// (leading zeros and a leading plus included).
    /// </summary>
    public static bool IsNumericLike<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        var i = value.Length > 0 && (value[0] == T.CreateTruncating('-') || value[0] == T.CreateTruncating('+')) ? 1 : 0;
        var intStart = i;
        i = SkipDigits(value, i);

        return i > intStart && MatchesFractionAndExponent(value, i);
    }

    private static bool MatchesFractionAndExponent<T>(ReadOnlySpan<T> s, int i)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (i < s.Length && s[i] == T.CreateTruncating('.'))
        {
            i++;
            var start = i;
            i = SkipDigits(s, i);

            if (i == start)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == T.CreateTruncating('e') || s[i] == T.CreateTruncating('E')))
        {
            i++;
            if (i < s.Length && (s[i] == T.CreateTruncating('+') || s[i] == T.CreateTruncating('-')))
            {
                i++;
            }

            var start = i;
            i = SkipDigits(s, i);

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    private static bool IsAllZeros(ReadOnlySpan<char> digits)
    {
        foreach (var c in digits)
        {
            if (c != '0')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index just past the run of ASCII digits that starts at <paramref name="i"/>.</summary>
    private static int SkipDigits<T>(ReadOnlySpan<T> s, int i)
        where T : unmanaged, IBinaryInteger<T>
    {
        while (i < s.Length && IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Whether a UTF-16 or UTF-8 code unit is an ASCII digit (the checks read either).</summary>
    internal static bool IsAsciiDigit<T>(T c)
        where T : unmanaged, IBinaryInteger<T> => uint.CreateTruncating(c) - '0' <= 9;
}
