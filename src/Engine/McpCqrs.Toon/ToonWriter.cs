using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace McpCqrs.Toon;

/// <summary>A field of a tabular or keyed header: a leaf, or a nested field group (spec §9.3).</summary>
internal sealed record ToonField(string Name, ToonField[]? Children)
{
    private byte[]? _utf8;

    /// <summary>The name in UTF-8, as the encoder looks it up in a row.</summary>
    public ReadOnlySpan<byte> Utf8Name => _utf8 ??= Encoding.UTF8.GetBytes(Name);
}

/// <summary>
/// Writes a checked JSON value (<see cref="ToonInput.Check"/>) as a TOON document (spec §5–§12), reading the
/// document in place: names, strings and numbers are decoded from its UTF-8 into one reused buffer, not into strings.
/// </summary>
internal sealed class ToonWriter : IDisposable
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
    private char[] _chars = ArrayPool<char>.Shared.Rent(256);
    private bool _anyLine;

    private ToonWriter(ToonOptions options)
    {
        _indent = options.Indent;
        _delimiter = options.Delimiter;
        _delimiterSymbol = _delimiter == ',' ? string.Empty : _delimiter.ToString();
        _sb = t_cachedBuilder ?? new StringBuilder();
        t_cachedBuilder = null;
    }

    /// <summary>Checks <paramref name="root"/> and writes it; throws <see cref="ToonEncodeFault"/> for what TOON cannot represent.</summary>
    public static string Write(JsonElement root, ToonOptions options)
    {
        ToonInput.Check(root, options.MaxDepth);
        using var writer = new ToonWriter(options);
        writer.WriteDocument(root);
        return writer._sb.ToString();
    }

    /// <summary>
    /// <see cref="Write(JsonElement, ToonOptions)"/> into <paramref name="destination"/> instead of a string: nothing
    /// is written there unless the whole document could be.
    /// </summary>
    public static void Write(JsonElement root, ToonOptions options, IBufferWriter<char> destination)
    {
        ToonInput.Check(root, options.MaxDepth);
        using var writer = new ToonWriter(options);
        writer.WriteDocument(root);
        foreach (var chunk in writer._sb.GetChunks())
        {
            var span = chunk.Span;
            span.CopyTo(destination.GetSpan(span.Length));
            destination.Advance(span.Length);
        }
    }

    /// <summary>Returns the decoding buffer and keeps the builder for the next document on this thread.</summary>
    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        _chars = [];
        if (_sb.Capacity <= MaxCachedCapacity)
        {
            _sb.Clear();
            t_cachedBuilder = _sb;
        }
    }

    private void WriteDocument(JsonElement root)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.Array when root.GetArrayLength() == 0:
                BeginLine(0);
                _sb.Append("[]");
                break;
            case JsonValueKind.Array:
                BeginLine(0);
                WriteArrayAfterKey(root, 0, allowTabular: true);
                break;
            case JsonValueKind.Object when KeyedFields(root) is { } fields:
                BeginLine(0);
                WriteKeyed(root, fields, 0);
                break;
            case JsonValueKind.Object:
                WriteFields(root, 0);
                break;
            default:
                BeginLine(0);
                AppendPrimitive(root);
                break;
        }

    }

    private static bool IsPrimitive(JsonElement value) => value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    /// <summary>
    /// Spec §9.3 tabular detection over objects (array elements or keyed entry values): every row has the first row's
    /// keys (and no others), and each field is primitive in every row or an object in every row whose values are in
    /// turn tabular (a nested field group). Names are distinct (<see cref="ToonInput.Check"/>), so equal counts and
    /// every key found mean the same key set. Rows are read like <see cref="AppendCells"/> reads them: each key first
    /// at its own position.
    /// </summary>
    private static ToonField[]? DetectFields(List<JsonElement> rows)
    {
        var first = rows[0];
        var count = first.GetPropertyCount();
        if (count == 0)
        {
            return null;
        }

        var fields = new ToonField[count];
        // Which fields are objects in the first row: they must be objects in every row, the others primitive in every row.
        var objects = count <= 64 ? stackalloc bool[count] : new bool[count];
        var f = 0;
        foreach (var property in first.EnumerateObject())
        {
            var kind = property.Value.ValueKind;
            if (kind == JsonValueKind.Array)
            {
                return null;
            }

            objects[f] = kind == JsonValueKind.Object;
            fields[f++] = new ToonField(property.Name, null);
        }

        foreach (var row in rows)
        {
            if (row.GetPropertyCount() != count)
            {
                return null;
            }

            var cells = new RowCells(row, count);
            for (f = 0; f < count; f++)
            {
                if (!cells.TryGet(fields[f], out var value))
                {
                    return null;
                }

                var kind = value.ValueKind;
                if (kind == JsonValueKind.Array || (kind == JsonValueKind.Object) != objects[f])
                {
                    return null;
                }
            }
        }

        for (f = 0; f < count; f++)
        {
            if (!objects[f])
            {
                continue;
            }

            var column = new List<JsonElement>(rows.Count);
            foreach (var row in rows)
            {
                column.Add(row.GetProperty(fields[f].Utf8Name));
            }

            if (DetectFields(column) is not { } children)
            {
                return null;
            }

            fields[f] = fields[f] with { Children = children };
        }

        return fields;
    }

    /// <summary>Spec §9.5 keyed tabular detection: at least two entries, every value an object, the values tabular.</summary>
    private static ToonField[]? KeyedFields(JsonElement obj)
    {
        var count = obj.GetPropertyCount();
        if (count < 2)
        {
            return null;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
        }

        var values = new List<JsonElement>(count);
        foreach (var property in obj.EnumerateObject())
        {
            values.Add(property.Value);
        }

        return DetectFields(values);
    }

    private static ToonField[]? TabularFields(JsonElement array)
    {
        var rows = new List<JsonElement>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            rows.Add(item);
        }

        return DetectFields(rows);
    }

    private void WriteFields(JsonElement obj, int depth)
    {
        foreach (var property in obj.EnumerateObject())
        {
            BeginLine(depth);
            WriteField(property, depth);
        }
    }

    /// <summary>Writes one field whose line has been started; nested content goes to <paramref name="depth"/> + 1.</summary>
    private void WriteField(JsonProperty property, int depth)
    {
        AppendKey(property);
        var value = property.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Array when value.GetArrayLength() == 0:
                _sb.Append(": []");
                break;
            case JsonValueKind.Array:
                WriteArrayAfterKey(value, depth, allowTabular: true);
                break;
            case JsonValueKind.Object when value.GetPropertyCount() == 0:
                _sb.Append(':');
                break;
            case JsonValueKind.Object when KeyedFields(value) is { } fields:
                WriteKeyed(value, fields, depth);
                break;
            case JsonValueKind.Object:
                _sb.Append(':');
                WriteFields(value, depth + 1);
                break;
            default:
                _sb.Append(": ");
                AppendPrimitive(value);
                break;
        }
    }

    /// <summary>Writes a non-empty array's header (after its key, if any) and its content.</summary>
    private void WriteArrayAfterKey(JsonElement array, int depth, bool allowTabular)
    {
        var count = array.GetArrayLength();
        var allPrimitive = true;
        foreach (var item in array.EnumerateArray())
        {
            allPrimitive &= IsPrimitive(item);
        }

        if (allPrimitive)
        {
            AppendBracket(count, keyed: false);
            _sb.Append(": ");
            var first = true;
            foreach (var item in array.EnumerateArray())
            {
                if (!first)
                {
                    _sb.Append(_delimiter);
                }

                AppendPrimitive(item);
                first = false;
            }

            return;
        }

        if (allowTabular && TabularFields(array) is { } fields)
        {
            AppendBracket(count, keyed: false);
            AppendFieldList(fields);
            _sb.Append(':');
            foreach (var item in array.EnumerateArray())
            {
                BeginLine(depth + 1);
                AppendCells(item, fields, first: true);
            }

            return;
        }

        AppendBracket(count, keyed: false);
        _sb.Append(':');
        foreach (var item in array.EnumerateArray())
        {
            WriteListItem(item, depth + 1);
        }
    }

    private void WriteKeyed(JsonElement obj, ToonField[] fields, int depth)
    {
        AppendBracket(obj.GetPropertyCount(), keyed: true);
        AppendFieldList(fields);
        _sb.Append(':');
        foreach (var property in obj.EnumerateObject())
        {
            BeginLine(depth + 1);
            AppendKey(property);
            _sb.Append(": ");
            AppendCells(property.Value, fields, first: true);
        }
    }

    /// <summary>Spec §9.4 / §10: one list item at <paramref name="depth"/>.</summary>
    private void WriteListItem(JsonElement item, int depth)
    {
        BeginLine(depth);
        switch (item.ValueKind)
        {
            case JsonValueKind.Array when item.GetArrayLength() == 0:
                _sb.Append("- ");
                AppendBracket(0, keyed: false);
                _sb.Append(':');
                break;
            case JsonValueKind.Array:
                // A keyless fields-bearing header is root-only (§6), so nested arrays of objects use the list form.
                _sb.Append("- ");
                WriteArrayAfterKey(item, depth, allowTabular: false);
                break;
            case JsonValueKind.Object when item.GetPropertyCount() == 0:
                _sb.Append('-');
                break;
            case JsonValueKind.Object:
                // The first field sits on the hyphen line and stands at depth + 1 (§10 depth model).
                _sb.Append("- ");
                var first = true;
                foreach (var property in item.EnumerateObject())
                {
                    if (!first)
                    {
                        BeginLine(depth + 1);
                    }

                    WriteField(property, depth + 1);
                    first = false;
                }

                break;
            default:
                _sb.Append("- ");
                AppendPrimitive(item);
                break;
        }
    }

    /// <summary>
    /// A row's cells in the header's field order. Rows usually list their keys in that order, so each field is first
    /// looked for at its own position and only otherwise by name.
    /// </summary>
    private bool AppendCells(JsonElement row, ToonField[] fields, bool first)
    {
        var cells = new RowCells(row, fields.Length);
        foreach (var field in fields)
        {
            cells.TryGet(field, out var value);
            if (field.Children is { } children)
            {
                first = AppendCells(value, children, first);
                continue;
            }

            if (!first)
            {
                _sb.Append(_delimiter);
            }

            AppendPrimitive(value);
            first = false;
        }

        return first;
    }

    /// <summary>
    /// Reads a row's cells in the header's field order (tabular detection and writing read them alike). Rows usually
    /// list their keys in that order, so each field is first looked for at its own position; otherwise by name: a scan
    /// of a small row, an index of a wide one, made once per row, so a wide row listing its keys in another order stays
    /// linear.
    /// </summary>
    private struct RowCells(JsonElement row, int count)
    {
        private JsonElement.ObjectEnumerator _properties = row.EnumerateObject();
        private Dictionary<string, JsonElement>? _index;

        public bool TryGet(ToonField field, out JsonElement value)
        {
            if (_properties.MoveNext() && _properties.Current.NameEquals(field.Utf8Name))
            {
                value = _properties.Current.Value;
                return true;
            }

            if (count <= ToonInput.SmallObject)
            {
                return row.TryGetProperty(field.Utf8Name, out value);
            }

            if (_index is null)
            {
                _index = new Dictionary<string, JsonElement>(count, StringComparer.Ordinal);
                foreach (var property in row.EnumerateObject())
                {
                    _index[property.Name] = property.Value;
                }
            }

            return _index.TryGetValue(field.Name, out value);
        }
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

    private void AppendKey(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        ToonSyntax.AppendKey(_sb, raw.Contains((byte)'\\') ? property.Name : Chars(raw));
    }

    /// <summary>A string, number or literal (spec §2 canonical numbers, §7.2 quoting against the document delimiter).</summary>
    private void AppendPrimitive(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                ToonSyntax.AppendString(_sb, StringChars(value), _delimiter);
                break;
            case JsonValueKind.Number:
                var text = Chars(JsonMarshal.GetRawUtf8Value(value));
                if (ToonNumber.IsCanonicalInteger(text))
                {
                    _sb.Append(text);
                }
                else
                {
                    _sb.Append(ToonNumber.TryCanonicalize(text, out var canonical) ? canonical : text);
                }

                break;
            case JsonValueKind.True:
                _sb.Append("true");
                break;
            case JsonValueKind.False:
                _sb.Append("false");
                break;
            default:
                _sb.Append("null");
                break;
        }
    }

    /// <summary>
    /// A string value's text, checked as it is decoded (names are checked with the document's shape): an escaped one
    /// decoded and checked for unpaired surrogates; an unescaped one checked for valid UTF-8 — a document parsed from
    /// bytes holds whatever bytes it was given inside its strings, and they are refused, not replaced.
    /// </summary>
    private ReadOnlySpan<char> StringChars(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.Contains((byte)'\\'))
        {
            return ToonInput.CheckString(ToonInput.Decoded(value.GetString), "string");
        }

        return Utf8.IsValid(raw) ? Chars(raw) : throw ToonInput.NotUtf8("string");
    }

    /// <summary>Valid unescaped UTF-8 as characters in the writer's buffer, valid until the next call.</summary>
    private ReadOnlySpan<char> Chars(ReadOnlySpan<byte> utf8)
    {
        if (_chars.Length < utf8.Length)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = ArrayPool<char>.Shared.Rent(utf8.Length);
        }

        return _chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars));
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
