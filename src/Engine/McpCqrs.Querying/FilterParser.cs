using System.Text;

namespace McpCqrs.Querying;

/// <summary>
/// A single-pass, linear recursive-descent parser for Gridify filters that resolves fields and converts values as
/// it goes, so the first error reported is the leftmost one. Grammar (<c>,</c> and <c>|</c> have the same
/// precedence and associate to the left, exactly as Gridify's own parser):
/// <code>
/// sequence  := term ((',' | '|') term)*
/// term      := '(' sequence ')' | condition
/// condition := field operator value ['/i']
/// </code>
/// Recursion happens only at '(' and is bounded by <see cref="MaxDepth"/>; input length, depth and the number of
/// conditions are all bounded, so no input can exhaust the stack or take more than linear time.
/// </summary>
internal sealed class FilterParser
{
    public const int MaxLength = 2000;
    public const int MaxDepth = 32;
    public const int MaxConditions = 100;

    private readonly string _text;
    private readonly IFieldLookup _fields;
    private int _pos;
    private int _conditions;

    private FilterParser(string text, IFieldLookup fields)
    {
        _text = text;
        _fields = fields;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    /// <summary>Parses <paramref name="text"/>; <c>null</c> when it is null, empty or blank (no filter).</summary>
    /// <exception cref="QuerySyntaxException">The filter is not valid for <paramref name="fields"/>.</exception>
    public static FilterNode? Parse(string? text, IFieldLookup fields)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length > MaxLength)
        {
            throw Error(MaxLength, $"filter longer than {MaxLength} characters ({text.Length})");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parser = new FilterParser(text, fields);
        var node = parser.ParseSequence(depth: 0);
        if (!parser.AtEnd)
        {
            // ParseSequence stops only at the end or at a ')' that no '(' opened.
            throw Error(parser._pos, $"unexpected ')' at {parser._pos}: no '(' is open (write \\) for a literal ')' in a value)");
        }

        return node;
    }

    /// <summary>The characters of a field name in a filter (mapped names use the ASCII subset).</summary>
    public static bool IsFieldChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.';

    public static bool IsAsciiFieldChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.';

    /// <summary>A user-supplied fragment, shortened for a message.</summary>
    public static string Clip(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    /// <summary>A character for a message: quoted, or as U+XXXX when it would not print.</summary>
    public static string Show(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";

    private static QuerySyntaxException Error(int position, string message) =>
        new(QuerySyntaxException.Filter, position, message);

    private FilterNode ParseSequence(int depth)
    {
        var left = ParseTerm(depth, separator: -1);
        while (true)
        {
            SkipWhiteSpace();
            if (AtEnd || Current == ')')
            {
                return left;
            }

            var c = Current;
            if (c is not (',' or '|'))
            {
                throw Error(_pos, $"expected ',', '|' or ')' at {_pos}, found {Show(c)}");
            }

            var separator = _pos++;
            var right = ParseTerm(depth, separator);
            left = new LogicalNode(left, right, IsOr: c == '|');
        }
    }

    private FilterNode ParseTerm(int depth, int separator)
    {
        SkipWhiteSpace();
        if (AtEnd)
        {
            throw Error(_pos, separator >= 0
                ? $"expected a condition at {_pos} after the '{_text[separator]}' at {separator}, found the end of the filter"
                : $"expected a condition at {_pos}, found the end of the filter");
        }

        var c = Current;
        if (c == '(')
        {
            if (depth >= MaxDepth)
            {
                throw Error(_pos, $"parentheses nested deeper than {MaxDepth} at {_pos}");
            }

            var open = _pos++;
            var inner = ParseSequence(depth + 1);
            if (AtEnd)
            {
                throw Error(_pos, $"missing ')' at {_pos} to close the '(' at {open}");
            }

            _pos++;
            return inner;
        }

        if (c is ',' or '|' or ')')
        {
            throw Error(_pos, $"expected a condition at {_pos}, found '{c}'");
        }

        return ParseCondition();
    }

    private ConditionNode ParseCondition()
    {
        var start = _pos;
        if (++_conditions > MaxConditions)
        {
            throw Error(start, $"more than {MaxConditions} conditions (condition {_conditions} starts at {start})");
        }

        while (!AtEnd && IsFieldChar(Current))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error(start, $"expected a field name at {start}, found {Show(Current)}");
        }

        var name = _text[start.._pos];
        if (!_fields.TryGet(name, out var field))
        {
            throw Error(start, $"unknown field '{Clip(name)}' at {start}; known fields: {_fields.KnownNames}");
        }

        SkipWhiteSpace();
        var opPos = _pos;
        if (!TryReadOperator(out var op))
        {
            throw Error(opPos, $"expected an operator after '{field.Name}' at {opPos}, found {(AtEnd ? "the end of the filter" : Show(Current))}; operators: {FilterOperators.AllSymbols}");
        }

        if (op is FilterOperator.Equal or FilterOperator.NotEqual && !AtEnd && Current == '=')
        {
            throw Error(opPos, $"'{op.Symbol()}=' at {opPos} is not an operator; use '{op.Symbol()}'");
        }

        if (!field.Operators.Contains(op))
        {
            var allowed = field.Kind == FieldKind.List
                ? "= (contains) or != (does not contain)"
                : string.Join(' ', field.Operators.Select(o => o.Symbol()));
            throw Error(opPos, $"operator '{op.Symbol()}' does not apply to '{field.Name}' ({field.Public.ValueDescription}) at {opPos}; use {allowed}");
        }

        return ReadValue(field, op);
    }

    private bool TryReadOperator(out FilterOperator op)
    {
        op = default;
        if (AtEnd)
        {
            return false;
        }

        var next = _pos + 1 < _text.Length ? _text[_pos + 1] : '\0';
        (FilterOperator Op, int Width)? match = Current switch
        {
            '=' when next == '*' => (FilterOperator.Contains, 2),
            '=' => (FilterOperator.Equal, 1),
            '!' when next == '=' => (FilterOperator.NotEqual, 2),
            '!' when next == '*' => (FilterOperator.NotContains, 2),
            '!' when next == '^' => (FilterOperator.NotStartsWith, 2),
            '!' when next == '$' => (FilterOperator.NotEndsWith, 2),
            '<' when next == '=' => (FilterOperator.LessThanOrEqual, 2),
            '<' => (FilterOperator.LessThan, 1),
            '>' when next == '=' => (FilterOperator.GreaterThanOrEqual, 2),
            '>' => (FilterOperator.GreaterThan, 1),
            '^' => (FilterOperator.StartsWith, 1),
            '$' => (FilterOperator.EndsWith, 1),
            _ => null,
        };
        if (match is not { } found)
        {
            return false;
        }

        op = found.Op;
        _pos += found.Width;
        return true;
    }

    /// <summary>
    /// Reads the value up to an unescaped ',', '|', ')' or the end. A backslash takes the next character
    /// literally; an unescaped '/i' that ends the value marks it case-insensitive (elsewhere it is literal text).
    /// White space before the value is dropped. White space after it is part of a text value, as in Gridify, whose
    /// lexer reads a value up to the next separator (<c>title=abc ,x=1</c> compares with <c>"abc "</c>); other types
    /// ignore it, as Gridify's type converters do.
    /// </summary>
    private ConditionNode ReadValue(FieldDefinition field, FilterOperator op)
    {
        SkipWhiteSpace();
        var valuePos = _pos;
        var value = new StringBuilder();
        var significant = 0;
        var escaped = false;
        var caseInsensitiveAt = -1;
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\')
            {
                if (_pos + 1 >= _text.Length)
                {
                    throw Error(_pos, $"'\\' at {_pos} ends the filter; write \\\\ for a literal backslash");
                }

                value.Append(_text[_pos + 1]);
                significant = value.Length;
                escaped = true;
                _pos += 2;
                continue;
            }

            if (c is ',' or '|' or ')')
            {
                break;
            }

            if (c == '(')
            {
                throw Error(_pos, $"unexpected '(' at {_pos} inside a value; write \\( for a literal '('");
            }

            if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == 'i' && EndsValue(_pos + 2))
            {
                caseInsensitiveAt = _pos;
                _pos += 2;
                break;
            }

            value.Append(c);
            if (!char.IsWhiteSpace(c))
            {
                significant = value.Length;
            }

            _pos++;
        }

        if (field.ScalarType != typeof(string))
        {
            value.Length = significant;
        }

        return Bind(field, op, value.ToString(), escaped, valuePos, caseInsensitiveAt);
    }

    private bool EndsValue(int index)
    {
        while (index < _text.Length && char.IsWhiteSpace(_text[index]))
        {
            index++;
        }

        return index >= _text.Length || _text[index] is ',' or '|' or ')';
    }

    private static ConditionNode Bind(FieldDefinition field, FilterOperator op, string text, bool escaped, int valuePos, int caseInsensitiveAt)
    {
        var caseInsensitive = caseInsensitiveAt >= 0;
        if (caseInsensitive && field.ScalarType != typeof(string))
        {
            throw Error(caseInsensitiveAt, $"'/i' at {caseInsensitiveAt} applies only to text; '{field.Name}' is {ValueConverter.Expected(field.ScalarType)}");
        }

        // As in Gridify, an unescaped null is the null value for = and != only; elsewhere it is the text "null".
        if (!escaped && text == "null" && op is FilterOperator.Equal or FilterOperator.NotEqual)
        {
            if (field.Kind == FieldKind.List || !field.IsNullable)
            {
                throw Error(valuePos, $"'{field.Name}' is never null (null at {valuePos})");
            }

            return new ConditionNode(field, op, null, IsNull: true, CaseInsensitive: false);
        }

        // As in Gridify, nothing after = or != means "null or default" ("" for text, 0 for numbers, ...).
        if (text.Length == 0 && !escaped && op is FilterOperator.Equal or FilterOperator.NotEqual && field.Kind != FieldKind.List)
        {
            return new ConditionNode(field, op, null, IsNull: false, CaseInsensitive: false, IsNullOrDefault: true);
        }

        object? value;
        if (field.ScalarType == typeof(string))
        {
            value = caseInsensitive ? text.ToLowerInvariant() : text;
        }
        else if (text.Length == 0)
        {
            throw Error(valuePos, $"missing value for '{field.Name}' at {valuePos}; expected {ValueConverter.Expected(field.ScalarType)}");
        }
        else if (!ValueConverter.TryConvert(text, field.ScalarType, out value))
        {
            throw Error(valuePos, $"'{Clip(text)}' is not {ValueConverter.Expected(field.ScalarType)} for '{field.Name}' (at {valuePos})");
        }

        return new ConditionNode(field, op, value, IsNull: false, caseInsensitive);
    }

    private void SkipWhiteSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _pos++;
        }
    }
}
