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
/// Writes a checked JSON value (<see cref="ToonInput.Check"/>) as a TOON document (spec §5–§12) in UTF-8, reading the
/// document in place: names, strings and numbers are copied from its UTF-8 (only an escaped one is decoded), so the
/// text is never held as UTF-16 unless a caller asks for a string.
/// </summary>
internal sealed class ToonWriter : IDisposable
{
    private readonly Utf8Text _text = new(1024);
    private readonly int _indent;
    private readonly byte _delimiter;
    private readonly bool _delimiterInBrackets;
    private byte[] _scratch = [];
    private bool _anyLine;

    private ToonWriter(ToonOptions options)
    {
        _indent = options.Indent;
        _delimiter = (byte)options.Delimiter;
        _delimiterInBrackets = options.Delimiter != ',';
    }

    /// <summary>Checks <paramref name="root"/> and writes it; throws <see cref="ToonEncodeFault"/> for what TOON cannot represent.</summary>
    public static string Write(JsonElement root, ToonOptions options)
    {
        using var writer = Written(root, options);
        return Encoding.UTF8.GetString(writer._text.Written);
    }

    /// <summary>
    /// <see cref="Write(JsonElement, ToonOptions)"/> as UTF-8 into <paramref name="destination"/> instead of a string:
    /// nothing is written there unless the whole document could be.
    /// </summary>
    public static void Write(JsonElement root, ToonOptions options, IBufferWriter<byte> destination)
    {
        using var writer = Written(root, options);
        destination.Write(writer._text.Written);
    }

    private static ToonWriter Written(JsonElement root, ToonOptions options)
    {
        ToonInput.Check(root, options.MaxDepth);
        var writer = new ToonWriter(options);
        try
        {
            writer.WriteDocument(root);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Gives the text's array and the decoding buffer back to the pool.</summary>
    public void Dispose()
    {
        _text.Dispose();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private void WriteDocument(JsonElement root)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.Array when root.GetArrayLength() == 0:
                BeginLine(0);
                _text.Append("[]"u8);
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
                _text.Append(": []"u8);
                break;
            case JsonValueKind.Array:
                WriteArrayAfterKey(value, depth, allowTabular: true);
                break;
            case JsonValueKind.Object when value.GetPropertyCount() == 0:
                _text.Append((byte)':');
                break;
            case JsonValueKind.Object when KeyedFields(value) is { } fields:
                WriteKeyed(value, fields, depth);
                break;
            case JsonValueKind.Object:
                _text.Append((byte)':');
                WriteFields(value, depth + 1);
                break;
            default:
                _text.Append(": "u8);
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
            _text.Append(": "u8);
            var first = true;
            foreach (var item in array.EnumerateArray())
            {
                if (!first)
                {
                    _text.Append(_delimiter);
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
            _text.Append((byte)':');
            foreach (var item in array.EnumerateArray())
            {
                BeginLine(depth + 1);
                AppendCells(item, fields, first: true);
            }

            return;
        }

        AppendBracket(count, keyed: false);
        _text.Append((byte)':');
        foreach (var item in array.EnumerateArray())
        {
            WriteListItem(item, depth + 1);
        }
    }

    private void WriteKeyed(JsonElement obj, ToonField[] fields, int depth)
    {
        AppendBracket(obj.GetPropertyCount(), keyed: true);
        AppendFieldList(fields);
        _text.Append((byte)':');
        foreach (var property in obj.EnumerateObject())
        {
            BeginLine(depth + 1);
            AppendKey(property);
            _text.Append(": "u8);
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
                _text.Append("- "u8);
                AppendBracket(0, keyed: false);
                _text.Append((byte)':');
                break;
            case JsonValueKind.Array:
                // A keyless fields-bearing header is root-only (§6), so nested arrays of objects use the list form.
                _text.Append("- "u8);
                WriteArrayAfterKey(item, depth, allowTabular: false);
                break;
            case JsonValueKind.Object when item.GetPropertyCount() == 0:
                _text.Append((byte)'-');
                break;
            case JsonValueKind.Object:
                // The first field sits on the hyphen line and stands at depth + 1 (§10 depth model).
                _text.Append("- "u8);
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
                _text.Append("- "u8);
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
                _text.Append(_delimiter);
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
        _text.Append((byte)'{');
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _text.Append(_delimiter);
            }

            ToonSyntax.AppendKey(_text, fields[i].Utf8Name);
            if (fields[i].Children is { } children)
            {
                AppendFieldList(children);
            }
        }

        _text.Append((byte)'}');
    }

    private void AppendBracket(int length, bool keyed)
    {
        _text.Append((byte)'[');
        _text.Append(length);
        if (keyed)
        {
            _text.Append((byte)':');
        }

        if (_delimiterInBrackets)
        {
            _text.Append(_delimiter);
        }

        _text.Append((byte)']');
    }

    /// <summary>A key: its UTF-8 as the document holds it (checked by <see cref="ToonInput.Check"/>), decoded only when escaped.</summary>
    private void AppendKey(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        ToonSyntax.AppendKey(_text, raw.Contains((byte)'\\') ? AsUtf8(property.Name) : raw);
    }

    /// <summary>A string, number or literal (spec §2 canonical numbers, §7.2 quoting against the document delimiter).</summary>
    private void AppendPrimitive(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                ToonSyntax.AppendString(_text, StringUtf8(value), _delimiter);
                break;
            case JsonValueKind.Number:
                AppendNumber(JsonMarshal.GetRawUtf8Value(value));
                break;
            case JsonValueKind.True:
                _text.Append("true"u8);
                break;
            case JsonValueKind.False:
                _text.Append("false"u8);
                break;
            default:
                _text.Append("null"u8);
                break;
        }
    }

    /// <summary>A JSON number (ASCII): as it is when it is a canonical integer (the common case), else in canonical form.</summary>
    private void AppendNumber(ReadOnlySpan<byte> number)
    {
        if (ToonNumber.IsCanonicalInteger(number))
        {
            _text.Append(number);
            return;
        }

        char[]? rented = null;
        Span<char> buffer = number.Length <= 128 ? stackalloc char[128] : (rented = ArrayPool<char>.Shared.Rent(number.Length));
        try
        {
            var text = buffer[..Encoding.ASCII.GetChars(number, buffer)];
            if (ToonNumber.TryCanonicalize(text, out var canonical))
            {
                _text.AppendAscii(canonical);
            }
            else
            {
                _text.Append(number);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// A string value's UTF-8, checked (names are checked with the document's shape): an unescaped one is the document's
    /// own bytes, checked to be valid UTF-8 — a document parsed from bytes holds whatever bytes it was given inside its
    /// strings, and they are refused, not replaced —; an escaped one is decoded, checked for unpaired surrogates and
    /// encoded again.
    /// </summary>
    private ReadOnlySpan<byte> StringUtf8(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.Contains((byte)'\\'))
        {
            return AsUtf8(ToonInput.CheckString(ToonInput.Decoded(value.GetString), "string"));
        }

        return Utf8.IsValid(raw) ? raw : throw ToonInput.NotUtf8("string");
    }

    /// <summary>Well-formed text as UTF-8 in the writer's buffer, valid until the next call.</summary>
    private ReadOnlySpan<byte> AsUtf8(string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < most)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(most);
        }

        return _scratch.AsSpan(0, Encoding.UTF8.GetBytes(text, _scratch));
    }

    private void BeginLine(int depth)
    {
        if (_anyLine)
        {
            _text.Append((byte)'\n');
        }

        _anyLine = true;
        _text.Append((byte)' ', depth * _indent);
    }
}
