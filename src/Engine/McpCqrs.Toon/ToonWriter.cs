using System.Text;

namespace McpCqrs.Toon;

/// <summary>A field of a tabular or keyed header: a leaf, or a nested field group (spec §9.3).</summary>
internal sealed record ToonField(string Name, ToonField[]? Children);

/// <summary>Writes a <see cref="ToonNode"/> tree as a TOON document (spec §5–§12).</summary>
internal sealed class ToonWriter
{
    /// <summary>Longest builder kept for the next document on the same thread (larger ones are left to the GC).</summary>
    private const int MaxCachedCapacity = 256 * 1024;

    /// <summary>The builder of the last document written on this thread: a document of many lines grows its builder
    /// a dozen times, a reused one once.</summary>
    [ThreadStatic]
    private static StringBuilder? t_cachedBuilder;

    private readonly StringBuilder _sb;
    private readonly int _indent;
    private readonly char _delimiter;
    private readonly string _delimiterSymbol;
    private bool _anyLine;

    public ToonWriter(ToonOptions options)
    {
        _indent = options.Indent;
        _delimiter = options.Delimiter;
        _delimiterSymbol = _delimiter == ',' ? string.Empty : _delimiter.ToString();
        _sb = t_cachedBuilder ?? new StringBuilder();
        t_cachedBuilder = null;
    }

    public string Write(ToonNode root)
    {
        switch (root)
        {
            case ToonPrimitive primitive:
                BeginLine(0);
                AppendPrimitive(primitive, _delimiter);
                break;
            case ToonArrayNode array when array.Items.Count == 0:
                BeginLine(0);
                _sb.Append("[]");
                break;
            case ToonArrayNode array:
                BeginLine(0);
                WriteArrayAfterKey(array, 0, allowTabular: true);
                break;
            case ToonObjectNode obj when KeyedFields(obj) is { } fields:
                BeginLine(0);
                WriteKeyed(obj, fields, 0);
                break;
            case ToonObjectNode obj:
                WriteFields(obj, 0);
                break;
        }

        var text = _sb.ToString();
        if (_sb.Capacity <= MaxCachedCapacity)
        {
            _sb.Clear();
            t_cachedBuilder = _sb;
        }

        return text;
    }

    /// <summary>Spec §9.3 tabular detection over objects (array elements or keyed entry values).</summary>
    internal static ToonField[]? DetectFields(IReadOnlyList<ToonObjectNode> rows)
    {
        var first = rows[0];
        if (first.Count == 0)
        {
            return null;
        }

        for (var r = 1; r < rows.Count; r++)
        {
            if (rows[r].Count != first.Count)
            {
                return null;
            }
        }

        var fields = new ToonField[first.Count];
        var column = new List<ToonObjectNode>(rows.Count);
        for (var f = 0; f < first.Count; f++)
        {
            var key = first.Properties[f].Key;
            bool allPrimitive = true, allObjects = true;
            column.Clear();
            foreach (var row in rows)
            {
                if (!row.TryGet(key, out var value))
                {
                    return null;
                }

                switch (value)
                {
                    case ToonPrimitive:
                        allObjects = false;
                        break;
                    case ToonObjectNode nested:
                        allPrimitive = false;
                        column.Add(nested);
                        break;
                    default:
                        return null;
                }
            }

            if (allPrimitive)
            {
                fields[f] = new ToonField(key, null);
            }
            else if (allObjects && DetectFields(column) is { } children)
            {
                fields[f] = new ToonField(key, children);
            }
            else
            {
                return null;
            }
        }

        return fields;
    }

    /// <summary>Spec §9.5 keyed tabular detection.</summary>
    private static ToonField[]? KeyedFields(ToonObjectNode obj)
    {
        if (obj.Count < 2)
        {
            return null;
        }

        var values = new List<ToonObjectNode>(obj.Count);
        foreach (var (_, value) in obj.Properties)
        {
            if (value is not ToonObjectNode nested)
            {
                return null;
            }

            values.Add(nested);
        }

        return DetectFields(values);
    }

    private static ToonField[]? TabularFields(ToonArrayNode array)
    {
        var rows = new List<ToonObjectNode>(array.Items.Count);
        foreach (var item in array.Items)
        {
            if (item is not ToonObjectNode obj)
            {
                return null;
            }

            rows.Add(obj);
        }

        return DetectFields(rows);
    }

    private void WriteFields(ToonObjectNode obj, int depth)
    {
        foreach (var (key, value) in obj.Properties)
        {
            BeginLine(depth);
            WriteField(key, value, depth);
        }
    }

    /// <summary>Writes one field whose line has been started; nested content goes to <paramref name="depth"/> + 1.</summary>
    private void WriteField(string key, ToonNode value, int depth)
    {
        ToonSyntax.AppendKey(_sb, key);
        switch (value)
        {
            case ToonPrimitive primitive:
                _sb.Append(": ");
                AppendPrimitive(primitive, _delimiter);
                break;
            case ToonArrayNode array when array.Items.Count == 0:
                _sb.Append(": []");
                break;
            case ToonArrayNode array:
                WriteArrayAfterKey(array, depth, allowTabular: true);
                break;
            case ToonObjectNode obj when obj.Count == 0:
                _sb.Append(':');
                break;
            case ToonObjectNode obj when KeyedFields(obj) is { } fields:
                WriteKeyed(obj, fields, depth);
                break;
            case ToonObjectNode obj:
                _sb.Append(':');
                WriteFields(obj, depth + 1);
                break;
        }
    }

    /// <summary>Writes a non-empty array's header (after its key, if any) and its content.</summary>
    private void WriteArrayAfterKey(ToonArrayNode array, int depth, bool allowTabular)
    {
        var items = array.Items;
        if (items.TrueForAll(static i => i is ToonPrimitive))
        {
            AppendBracket(items.Count, keyed: false);
            _sb.Append(": ");
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    _sb.Append(_delimiter);
                }

                AppendPrimitive((ToonPrimitive)items[i], _delimiter);
            }

            return;
        }

        if (allowTabular && TabularFields(array) is { } fields)
        {
            AppendBracket(items.Count, keyed: false);
            AppendFieldList(fields);
            _sb.Append(':');
            foreach (var item in items)
            {
                BeginLine(depth + 1);
                AppendCells((ToonObjectNode)item, fields, first: true);
            }

            return;
        }

        AppendBracket(items.Count, keyed: false);
        _sb.Append(':');
        foreach (var item in items)
        {
            WriteListItem(item, depth + 1);
        }
    }

    private void WriteKeyed(ToonObjectNode obj, ToonField[] fields, int depth)
    {
        AppendBracket(obj.Count, keyed: true);
        AppendFieldList(fields);
        _sb.Append(':');
        foreach (var (key, value) in obj.Properties)
        {
            BeginLine(depth + 1);
            ToonSyntax.AppendKey(_sb, key);
            _sb.Append(": ");
            AppendCells((ToonObjectNode)value, fields, first: true);
        }
    }

    /// <summary>Spec §9.4 / §10: one list item at <paramref name="depth"/>.</summary>
    private void WriteListItem(ToonNode item, int depth)
    {
        BeginLine(depth);
        switch (item)
        {
            case ToonPrimitive primitive:
                _sb.Append("- ");
                AppendPrimitive(primitive, _delimiter);
                break;
            case ToonArrayNode array when array.Items.Count == 0:
                _sb.Append("- ");
                AppendBracket(0, keyed: false);
                _sb.Append(':');
                break;
            case ToonArrayNode array:
                // A keyless fields-bearing header is root-only (§6), so nested arrays of objects use the list form.
                _sb.Append("- ");
                WriteArrayAfterKey(array, depth, allowTabular: false);
                break;
            case ToonObjectNode obj when obj.Count == 0:
                _sb.Append('-');
                break;
            case ToonObjectNode obj:
                // The first field sits on the hyphen line and stands at depth + 1 (§10 depth model).
                _sb.Append("- ");
                var (firstKey, firstValue) = obj.Properties[0];
                WriteField(firstKey, firstValue, depth + 1);
                for (var i = 1; i < obj.Count; i++)
                {
                    BeginLine(depth + 1);
                    var (key, value) = obj.Properties[i];
                    WriteField(key, value, depth + 1);
                }

                break;
        }
    }

    private bool AppendCells(ToonObjectNode row, ToonField[] fields, bool first)
    {
        foreach (var field in fields)
        {
            row.TryGet(field.Name, out var value);
            if (field.Children is { } children)
            {
                first = AppendCells((ToonObjectNode)value, children, first);
                continue;
            }

            if (!first)
            {
                _sb.Append(_delimiter);
            }

            AppendPrimitive((ToonPrimitive)value, _delimiter);
            first = false;
        }

        return first;
    }

    private void AppendFieldList(ToonField[] fields)
    {
        _sb.Append('{');
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _sb.Append(_delimiter);
            }

            ToonSyntax.AppendKey(_sb, fields[i].Name);
            if (fields[i].Children is { } children)
            {
                AppendFieldList(children);
            }
        }

        _sb.Append('}');
    }

    private void AppendBracket(int length, bool keyed)
    {
        _sb.Append('[').Append(length);
        if (keyed)
        {
            _sb.Append(':');
        }

        _sb.Append(_delimiterSymbol).Append(']');
    }

    private void AppendPrimitive(ToonPrimitive primitive, char delimiter)
    {
        if (primitive.Kind == ToonPrimitiveKind.String)
        {
            ToonSyntax.AppendString(_sb, primitive.Text, delimiter);
        }
        else
        {
            _sb.Append(primitive.Text);
        }
    }

    private void BeginLine(int depth)
    {
        if (_anyLine)
        {
            _sb.Append('\n');
        }

        _anyLine = true;
        _sb.Append(' ', depth * _indent);
    }
}
