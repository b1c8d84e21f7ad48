using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Toon;

/// <summary>The TOON decoder engine: a line scanner (§5.1, §12) and a recursive-descent parser over depths.</summary>
internal sealed class ToonParser
{
    private readonly List<Line> _lines = [];
    private readonly bool _strict;
    private readonly int _indent;
    private readonly int _maxDepth;
    private int _pos;

    /// <summary>Number of open array spans (§12) whose first item, row or entry has been read.</summary>
    private int _openSpans;

    private ToonParser(ToonDecodeOptions options)
    {
        _strict = options.Strict;
        _indent = options.Indent;
        _maxDepth = options.MaxDepth;
    }

    public static JsonNode? Parse(string text, ToonDecodeOptions options)
    {
        var parser = new ToonParser(options);
        parser.Scan(text);
        return parser.ParseDocument();
    }

    /// <summary>A non-blank, non-comment line.</summary>
    /// <param name="Number">1-based line number in the input.</param>
    /// <param name="Depth">Indentation depth.</param>
    /// <param name="Content">The line after its indentation, trailing spaces removed.</param>
    /// <param name="BlankBefore">Line number of a blank line between this line and the previous kept line, or 0.</param>
    private readonly record struct Line(int Number, int Depth, string Content, int BlankBefore);

    private void Scan(string text)
    {
        var number = 0;
        var blank = 0;
        var start = 0;
        while (start <= text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            number++;
            var raw = text.AsSpan(start, end - start);
            if (raw.Length > 0 && raw[^1] == '\r')
            {
                raw = raw[..^1];
            }

            start = end + 1;
            var spaces = 0;
            while (spaces < raw.Length && raw[spaces] == ' ')
            {
                spaces++;
            }

            if (spaces < raw.Length && raw[spaces] == '#')
            {
                continue; // §5.1 comment line
            }

            if (raw.TrimStart(" \t").IsEmpty)
            {
                blank = number;
                continue;
            }

            var width = 0;
            var i = 0;
            for (; i < raw.Length && raw[i] is ' ' or '\t'; i++)
            {
                if (raw[i] == ' ')
                {
                    width++;
                }
                else if (_strict)
                {
                    throw new ToonFormatException("Tab character in indentation; indent with spaces only.", number);
                }
                else
                {
                    width += _indent;
                }
            }

            if (_strict && width % _indent != 0)
            {
                throw new ToonFormatException(
                    $"Indentation of {width} spaces is not a multiple of the indent size ({_indent}).", number);
            }

            _lines.Add(new Line(number, width / _indent, raw[i..].TrimEnd(' ').ToString(), blank));
            blank = 0;
            if (newline < 0)
            {
                break;
            }
        }
    }

    private JsonNode? ParseDocument()
    {
        if (_lines.Count == 0)
        {
            return new JsonObject();
        }

        var first = _lines[0];
        if (first.Depth == 0)
        {
            if (first.Content == "[]")
            {
                _pos = 1;
                return Finish(new JsonArray(), "an empty root array");
            }

            var result = ToonHeader.TryParse(first.Content, _strict, _maxDepth, first.Number, out var header, out var error);
            if (result == ToonHeaderResult.Header && header!.Key is null)
            {
                _pos = 1;
                return header.Keyed
                    ? Finish(ParseKeyedEntries(header, 1, first, 1), "a keyed root object")
                    : Finish(ParseHeaderValue(header, 1, first, 1), "a root array");
            }

            if (result == ToonHeaderResult.Malformed && _strict)
            {
                throw new ToonFormatException(error!, first.Number);
            }
        }

        if (_lines.Count == 1 && ToonSyntax.IndexOfUnquoted(first.Content, ':') < 0)
        {
            if (_strict && first.Depth != 0)
            {
                throw new ToonFormatException("A root primitive must not be indented.", first.Number);
            }

            return ParsePrimitive(first.Content, first.Number);
        }

        var root = new JsonObject();
        ParseObjectBody(root, 0, 1);
        return root;
    }

    /// <summary>§5: nothing may follow a complete root array, root <c>[]</c> or keyed root object.</summary>
    private JsonNode Finish(JsonNode root, string what)
    {
        if (_pos < _lines.Count && _strict)
        {
            throw new ToonFormatException($"Unexpected content after {what}; the root form spans the whole document.", _lines[_pos].Number);
        }

        return root;
    }

    private void Consume(Line line)
    {
        _pos++;
        if (_strict && _openSpans > 0 && line.BlankBefore > 0)
        {
            throw new ToonFormatException("Blank line inside an array or keyed table (between its first item and its last line).", line.BlankBefore);
        }
    }

    private void CheckDepth(int level, Line line)
    {
        if (level > _maxDepth)
        {
            throw new ToonFormatException($"The document nests deeper than MaxDepth ({_maxDepth}).", line.Number);
        }
    }

    /// <summary>Reads the fields of an object whose fields stand at <paramref name="depth"/>.</summary>
    private void ParseObjectBody(JsonObject obj, int depth, int level)
    {
        while (_pos < _lines.Count)
        {
            var line = _lines[_pos];
            if (line.Depth < depth)
            {
                return;
            }

            if (line.Depth > depth)
            {
                if (_strict)
                {
                    throw new ToonFormatException(
                        $"Unexpected indentation: the line is at depth {line.Depth}, but the enclosing scope's content is at depth {depth} and the previous line opens no nested scope.",
                        line.Number);
                }

                _pos++; // non-strict: skip the orphan line
                continue;
            }

            Consume(line);
            ParseField(line.Content, depth, obj, line, level, "an object field");
        }
    }

    /// <summary>
    /// Parses one field line (<paramref name="content"/> may be the part after a list-item marker) standing at
    /// <paramref name="depth"/>; nested content is read at <paramref name="depth"/> + 1.
    /// </summary>
    private void ParseField(string content, int depth, JsonObject obj, Line line, int level, string position)
    {
        var result = ToonHeader.TryParse(content, _strict, _maxDepth, line.Number, out var header, out var error);
        if (result == ToonHeaderResult.Header && header!.Key is null)
        {
            result = ToonHeaderResult.Malformed;
            error = $"A keyless header is not allowed as {position}; keyless headers are valid only as the root header"
                + (header.Keyed || header.Fields is not null ? "." : " or as a list item ('- [N]: …').");
        }

        string key;
        JsonNode? value;
        switch (result)
        {
            case ToonHeaderResult.Header:
                key = header!.Key!;
                value = ParseHeaderValue(header, depth + 1, line, level + 1);
                break;
            case ToonHeaderResult.Malformed when _strict:
                throw new ToonFormatException(error!, line.Number);
            case ToonHeaderResult.Malformed:
            {
                // Non-strict fall-through (§6): a key-value line whose key is the literal text before the colon.
                var colon = ToonSyntax.IndexOfUnquoted(content, ':');
                key = content[..colon].Trim(' ');
                value = ParseFieldValue(content[(colon + 1)..], depth, line, level);
                break;
            }

            default:
            {
                var colon = ToonSyntax.IndexOfUnquoted(content, ':');
                if (colon < 0)
                {
                    throw new ToonFormatException(
                        $"Missing colon: expected 'key: value' or a header as {position}, found '{Abbreviate(content)}'.",
                        line.Number);
                }

                key = ParseKey(content[..colon], line.Number);
                value = ParseFieldValue(content[(colon + 1)..], depth, line, level);
                break;
            }
        }

        Set(obj, key, value, line.Number);
    }

    /// <summary>The value after a key's colon: nested object (nothing), empty array (<c>[]</c>) or a primitive.</summary>
    private JsonNode? ParseFieldValue(string rest, int depth, Line line, int level)
    {
        var token = rest.Trim(' ');
        if (token.Length == 0)
        {
            CheckDepth(level + 1, line);
            var nested = new JsonObject();
            ParseObjectBody(nested, depth + 1, level + 1);
            return nested;
        }

        return token == "[]" ? new JsonArray() : ParsePrimitive(token, line.Number);
    }

    /// <summary>The value a header declares; its rows, entries or items stand at <paramref name="childDepth"/>.</summary>
    private JsonNode ParseHeaderValue(ToonHeader header, int childDepth, Line line, int level)
    {
        CheckDepth(level, line);
        if (header.Keyed)
        {
            return ParseKeyedEntries(header, childDepth, line, level);
        }

        if (header.Fields is not null)
        {
            return ParseTabularRows(header, childDepth, line, level);
        }

        if (header.Inline.Length > 0)
        {
            var array = new JsonArray();
            foreach (var token in ToonSyntax.SplitDelimited(header.Inline, header.Delimiter))
            {
                array.Add(ParsePrimitive(token, line.Number));
            }

            CheckCount(header, array.Count, "values", line);
            return array;
        }

        return ParseListItems(header, childDepth, line, level);
    }

    private JsonArray ParseListItems(ToonHeader header, int depth, Line headerLine, int level)
    {
        var array = new JsonArray();
        var started = false;
        while (_pos < _lines.Count)
        {
            var line = _lines[_pos];
            if (line.Depth < depth)
            {
                break;
            }

            if (line.Depth > depth)
            {
                if (_strict)
                {
                    throw new ToonFormatException(
                        $"Unexpected indentation: list items of this array stand at depth {depth}, the line is at depth {line.Depth}.",
                        line.Number);
                }

                _pos++;
                continue;
            }

            if (!(line.Content == "-" || line.Content.StartsWith("- ", StringComparison.Ordinal)))
            {
                if (_strict)
                {
                    throw new ToonFormatException(
                        $"Expected a list item ('- …') of the array declared on line {headerLine.Number}, found '{Abbreviate(line.Content)}'.",
                        line.Number);
                }

                break;
            }

            Consume(line);
            if (!started)
            {
                started = true;
                _openSpans++;
            }

            array.Add(ParseListItem(line, depth, level));
        }

        if (started)
        {
            _openSpans--;
        }

        CheckCount(header, array.Count, "list items", headerLine);
        return array;
    }

    /// <summary>One list item (§9.4, §10) whose hyphen stands at <paramref name="depth"/>.</summary>
    private JsonNode? ParseListItem(Line line, int depth, int level)
    {
        if (line.Content == "-")
        {
            CheckDepth(level + 1, line);
            return new JsonObject();
        }

        var rest = line.Content[2..].Trim(' ');
        if (rest == "[]")
        {
            CheckDepth(level + 1, line);
            return new JsonArray();
        }

        var result = ToonHeader.TryParse(rest, _strict, _maxDepth, line.Number, out var header, out _);
        if (result == ToonHeaderResult.Header && header!.Key is null && !header.Keyed && header.Fields is null)
        {
            // "- [M]: …" – an inner array; its own items stand at depth + 1.
            return ParseHeaderValue(header, depth + 1, line, level + 1);
        }

        if (result != ToonHeaderResult.NotHeader || ToonSyntax.IndexOfUnquoted(rest, ':') >= 0)
        {
            // An object whose first field is on the hyphen line; its fields stand at depth + 1.
            CheckDepth(level + 1, line);
            var obj = new JsonObject();
            ParseField(rest, depth + 1, obj, line, level + 1, "a list item");
            ParseObjectBody(obj, depth + 1, level + 1);
            return obj;
        }

        return ParsePrimitive(rest, line.Number);
    }

    private JsonArray ParseTabularRows(ToonHeader header, int depth, Line headerLine, int level)
    {
        var array = new JsonArray();
        var started = false;
        while (_pos < _lines.Count)
        {
            var line = _lines[_pos];
            if (line.Depth != depth)
            {
                break;
            }

            // §9.3 disambiguation: a line whose first unquoted colon precedes its first unquoted delimiter ends the rows.
            var colon = ToonSyntax.IndexOfUnquoted(line.Content, ':');
            if (colon >= 0)
            {
                var delimiter = ToonSyntax.IndexOfUnquoted(line.Content, header.Delimiter);
                if (delimiter < 0 || colon < delimiter)
                {
                    break;
                }
            }

            Consume(line);
            if (!started)
            {
                started = true;
                _openSpans++;
            }

            var cells = ToonSyntax.SplitDelimited(line.Content, header.Delimiter);
            array.Add(MaterializeRow(header, cells, line, level));
        }

        if (started)
        {
            _openSpans--;
        }

        CheckCount(header, array.Count, "rows", headerLine);
        return array;
    }

    private JsonObject ParseKeyedEntries(ToonHeader header, int depth, Line headerLine, int level)
    {
        CheckDepth(level, headerLine);
        var obj = new JsonObject();
        var started = false;
        var entries = 0;
        while (_pos < _lines.Count)
        {
            var line = _lines[_pos];
            if (line.Depth != depth)
            {
                break;
            }

            var colon = ToonSyntax.IndexOfUnquoted(line.Content, ':');
            if (colon < 0)
            {
                if (_strict)
                {
                    throw new ToonFormatException(
                        $"Expected an entry row ('key: values') of the keyed table declared on line {headerLine.Number}, found '{Abbreviate(line.Content)}'.",
                        line.Number);
                }

                _pos++;
                continue;
            }

            Consume(line);
            if (!started)
            {
                started = true;
                _openSpans++;
            }

            var key = ParseKey(line.Content[..colon], line.Number);
            var rest = line.Content[(colon + 1)..].Trim(' ');
            var cells = rest.Length == 0 ? [] : ToonSyntax.SplitDelimited(rest, header.Delimiter);
            Set(obj, key, MaterializeRow(header, cells, line, level), line.Number);
            entries++;
        }

        if (started)
        {
            _openSpans--;
        }

        CheckCount(header, entries, "entry rows", headerLine);
        return obj;
    }

    private JsonObject MaterializeRow(ToonHeader header, List<string> cells, Line line, int level)
    {
        if (_strict && cells.Count != header.LeafCount)
        {
            throw new ToonFormatException(
                $"Row has {cells.Count} value(s) but the header declares {header.LeafCount} field(s).", line.Number);
        }

        var next = 0;
        return Materialize(header.Fields!, cells, ref next, line, level + 1);
    }

    private JsonObject Materialize(ToonField[] fields, List<string> cells, ref int next, Line line, int level)
    {
        CheckDepth(level, line);
        var obj = new JsonObject();
        foreach (var field in fields)
        {
            JsonNode? value;
            if (field.Children is { } children)
            {
                value = Materialize(children, cells, ref next, line, level + 1);
            }
            else if (next < cells.Count)
            {
                value = ParsePrimitive(cells[next++], line.Number);
            }
            else
            {
                continue; // non-strict: a missing cell leaves its field out
            }

            Set(obj, field.Name, value, line.Number);
        }

        return obj;
    }

    private void CheckCount(ToonHeader header, int actual, string what, Line headerLine)
    {
        if (_strict && actual != header.Length)
        {
            throw new ToonFormatException(
                $"Length mismatch: the header declares {header.Length} but {actual} {what} follow.", headerLine.Number);
        }
    }

    private void Set(JsonObject obj, string key, JsonNode? value, int line)
    {
        if (obj.ContainsKey(key))
        {
            if (_strict)
            {
                throw new ToonFormatException($"Duplicate key '{key}' in the same object.", line);
            }

            obj[key] = value; // §14.3 last-write-wins
            return;
        }

        obj.Add(key, value);
    }

    /// <summary>A key token (the text before a line's first unquoted colon, §7.4).</summary>
    private static string ParseKey(string token, int line)
    {
        var trimmed = token.Trim(' ');
        if (trimmed.Length == 0 || trimmed[0] != '"')
        {
            return trimmed;
        }

        var key = ToonSyntax.ReadQuoted(trimmed, 0, line, out var end);
        if (end != trimmed.Length)
        {
            throw new ToonFormatException(
                $"Unexpected characters after the quoted key \"{key}\"; a key must be followed by ':'.", line);
        }

        return key;
    }

    /// <summary>A primitive token (§4), already trimmed.</summary>
    private static JsonNode? ParsePrimitive(string token, int line)
    {
        if (token.Length == 0)
        {
            return JsonValue.Create(string.Empty);
        }

        if (token[0] == '"')
        {
            var value = ToonSyntax.ReadQuoted(token, 0, line, out var end);
            if (end != token.Length)
            {
                throw new ToonFormatException(
                    $"Unexpected characters after the closing quote in '{Abbreviate(token)}'.", line);
            }

            return JsonValue.Create(value);
        }

        switch (token)
        {
            case "true":
                return JsonValue.Create(true);
            case "false":
                return JsonValue.Create(false);
            case "null":
                return null;
        }

        if (ToonNumber.IsDecodableNumber(token))
        {
            // Lossless: the exact canonical decimal is kept as JSON number text (any magnitude or precision).
            var text = ToonNumber.TryCanonicalize(token, out var canonical) ? canonical : token;
            return JsonValue.Create(JsonElement.Parse(text));
        }

        return JsonValue.Create(token);
    }

    private static string Abbreviate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
