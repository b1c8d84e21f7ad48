using System.Text;
using System.Text.Json.Nodes;

namespace McpCqrs.Tests.Unit.Toon;

/// <summary>
/// Seeded generator of JSON documents aimed at TOON's edge cases: quoting, delimiters, escapes, unicode, number forms,
/// empty containers, keys that need quotes, and the tabular / keyed tabular shapes (with nested field groups,
/// per-element key order, and near-misses that must fall back to the list or nested form).
/// </summary>
internal sealed class ToonRandomJson(int seed)
{
    private static readonly string[] Fragments =
    [
        "", " ", "  ", "\t", "\n", "\r", "\r\n", "\u0001", "\u001f", "\u007f", "\"", "\\", "\\n", ":", ",", "|", "[", "]", "{", "}",
        "[]", "{}", "-", "- ", "- x", "#", "# x", "true", "false", "null", "True", "42", "-3.14", "05", "0", "-0", "1e5", "+1", ".5",
        "1.", "0x10", "Infinity", "NaN", "é", "café", "你好", "🚀", "👋🏽", "\u00a0", "\u2028", "\ufeff", "a", "b", "hello",
        "hello world", "x: y", "a,b", "a|b", "a\tb", "[2]: x", "k[2]{a}:", "users[2:]{a}:", "\"quoted\"", "__proto__", "'", "`",
        "=", "&", "?", "/", "*", "%", ";", "<", ">", "~", ".", "_",
    ];

    private static readonly string[] PlainKeys =
        ["id", "name", "type", "value", "tags", "items", "meta", "x", "y", "_private", "user.name", "a1", "B", "status", "data"];

    private static readonly string[] OddKeys =
    [
        "", " ", "full name", " a ", "a:b", "a,b", "a|b", "a\tb", "[index]", "{key}", "-lead", "#hash", "123", "1a", "é",
        "你好", "🚀", "line\nbreak", "quote\"d", "back\\slash", "\u0004", "__proto__", "constructor", "true", "null", "-", "[]",
        "a[2]", "k[2:]", "x{a}", "\u00a0",
    ];

    private static readonly string[] NumberTexts =
    [
        "0", "-0", "-0.0", "0.0", "0e5", "-0E-3", "1", "-1", "42", "1.5", "-1.5000", "3.14159", "1e6", "1E+6", "1e-6", "1e-7", "-1e-7",
        "1e20", "1e21", "1e+21", "-1e21", "9007199254740991", "9007199254740993", "12345678901234567890123456789",
        "-98765432109876543210.0123456789", "0.1", "0.000001", "0.0000001", "123.456e-10", "1.7976931348623157e308",
        "5e-324", "2.5e2", "100000000000000000000", "1000000000000000000000", "0.3333333333333333", "-12.3400e+2", "1E400",
        "-4.5E-400", "7e0", "10", "1000", "0.5", "-0.001",
    ];

    private readonly Random _random = new(seed);

    public JsonNode? Document()
    {
        return _random.Next(10) switch
        {
            0 => Value(3),
            1 => Array(4),
            _ => Object(4, allowKeyed: true),
        };
    }

    private JsonNode? Value(int depth)
    {
        if (depth <= 0)
        {
            return Primitive();
        }

        return _random.Next(12) switch
        {
            < 5 => Primitive(),
            < 8 => Object(depth - 1, allowKeyed: true),
            _ => Array(depth - 1),
        };
    }

    private JsonNode Object(int depth, bool allowKeyed)
    {
        if (allowKeyed && _random.Next(5) == 0)
        {
            return Keyed(depth);
        }

        var obj = new JsonObject();
        var count = _random.Next(6) == 0 ? 0 : _random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            var key = Key();
            if (!obj.ContainsKey(key))
            {
                obj[key] = Value(depth);
            }
        }

        return obj;
    }

    private JsonArray Array(int depth)
    {
        var array = new JsonArray();
        switch (_random.Next(7))
        {
            case 0:
                break;
            case 1:
            case 2:
                for (var i = _random.Next(1, 7); i > 0; i--)
                {
                    array.Add(Primitive());
                }

                break;
            case 3:
            case 4:
                foreach (var row in UniformObjects(_random.Next(1, 5), depth))
                {
                    array.Add(row);
                }

                break;
            case 5:
                for (var i = _random.Next(1, 4); i > 0; i--)
                {
                    array.Add(_random.Next(3) == 0 ? new JsonArray() : Array(Math.Max(depth - 1, 0)));
                }

                break;
            default:
                for (var i = _random.Next(1, 5); i > 0; i--)
                {
                    array.Add(Value(depth));
                }

                break;
        }

        return array;
    }

    /// <summary>An object whose values are uniform objects (keyed tabular form), sometimes spoiled.</summary>
    private JsonObject Keyed(int depth)
    {
        var obj = new JsonObject();
        foreach (var value in UniformObjects(_random.Next(2, 5), depth))
        {
            var key = Key();
            if (!obj.ContainsKey(key))
            {
                obj[key] = value;
            }
        }

        return obj;
    }

    /// <summary>
    /// Objects sharing one shape (primitive and nested-object columns, keys shuffled per object), occasionally with a
    /// defect (missing key, array or null in an object column, empty object) that forbids the tabular form.
    /// </summary>
    private List<JsonObject> UniformObjects(int count, int depth)
    {
        var shape = Shape(Math.Min(depth, 2));
        var rows = new List<JsonObject>(count);
        for (var i = 0; i < count; i++)
        {
            rows.Add(Instantiate(shape));
        }

        if (_random.Next(4) == 0)
        {
            var victim = rows[_random.Next(rows.Count)];
            var key = victim.Select(p => p.Key).ElementAtOrDefault(_random.Next(Math.Max(victim.Count, 1)));
            switch (_random.Next(5))
            {
                case 0 when key is not null:
                    victim.Remove(key);
                    break;
                case 1 when key is not null:
                    victim[key] = new JsonArray(Primitive());
                    break;
                case 2 when key is not null:
                    victim[key] = null;
                    break;
                case 3 when key is not null:
                    victim[key] = new JsonObject();
                    break;
                default:
                    victim["extra" + _random.Next(3)] = Primitive();
                    break;
            }
        }

        return rows;
    }

    private List<(string Key, object? Sub)> Shape(int depth)
    {
        var shape = new List<(string, object?)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            var key = Key();
            if (keys.Add(key))
            {
                shape.Add((key, depth > 0 && _random.Next(4) == 0 ? Shape(depth - 1) : null));
            }
        }

        return shape;
    }

    private JsonObject Instantiate(List<(string Key, object? Sub)> shape)
    {
        var fields = shape.ToList();
        if (_random.Next(3) == 0)
        {
            Shuffle(fields);
        }

        var obj = new JsonObject();
        foreach (var (key, sub) in fields)
        {
            obj[key] = sub is List<(string, object?)> nested ? Instantiate(nested) : Primitive();
        }

        return obj;
    }

    private JsonNode? Primitive() => _random.Next(10) switch
    {
        < 4 => JsonValue.Create(Text()),
        < 7 => Number(),
        7 => JsonValue.Create(_random.Next(2) == 0),
        8 => null,
        _ => JsonValue.Create(PlainWord()),
    };

    private JsonNode Number()
    {
        switch (_random.Next(12))
        {
            case < 5:
                return JsonNode.Parse(NumberTexts[_random.Next(NumberTexts.Length)])!;
            case 5:
                return JsonNode.Parse(RandomNumberText())!;
            case 6:
                return JsonValue.Create(_random.Next(-100000, 100000));
            case 7:
                return JsonValue.Create(_random.NextInt64(long.MinValue, long.MaxValue));
            case 8:
                return JsonValue.Create((_random.NextDouble() - 0.5) * Math.Pow(10, _random.Next(-30, 30)));
            case 9:
                return JsonValue.Create(BitConverter.Int64BitsToDouble(_random.NextInt64()) is var d && double.IsFinite(d) ? d : 0.25);
            case 10:
                return JsonValue.Create(new decimal(_random.Next(), _random.Next(), _random.Next(), _random.Next(2) == 0, (byte)_random.Next(29)));
            default:
                if (_random.Next(3) == 0)
                {
                    return JsonValue.Create(_random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity });
                }

                return JsonValue.Create(-0.0);
        }
    }

    private string RandomNumberText()
    {
        var sb = new StringBuilder();
        if (_random.Next(2) == 0)
        {
            sb.Append('-');
        }

        if (_random.Next(4) == 0)
        {
            sb.Append('0');
        }
        else
        {
            sb.Append((char)('0' + _random.Next(1, 10)));
            for (var i = _random.Next(0, 25); i > 0; i--)
            {
                sb.Append((char)('0' + _random.Next(10)));
            }
        }

        if (_random.Next(2) == 0)
        {
            sb.Append('.');
            for (var i = _random.Next(1, 20); i > 0; i--)
            {
                sb.Append((char)('0' + _random.Next(10)));
            }
        }

        if (_random.Next(2) == 0)
        {
            sb.Append(_random.Next(2) == 0 ? 'e' : 'E').Append(_random.Next(3) switch { 0 => "", 1 => "+", _ => "-" });
            sb.Append(_random.Next(0, 400));
        }

        return sb.ToString();
    }

    private string Text()
    {
        var sb = new StringBuilder();
        for (var i = _random.Next(0, 5); i > 0; i--)
        {
            sb.Append(_random.Next(3) == 0 ? PlainWord() : Fragments[_random.Next(Fragments.Length)]);
        }

        return sb.ToString();
    }

    private string PlainWord()
    {
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.";
        var length = _random.Next(1, 10);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = letters[_random.Next(letters.Length)];
        }

        return new string(chars);
    }

    private string Key() => _random.Next(10) switch
    {
        < 5 => PlainKeys[_random.Next(PlainKeys.Length)],
        < 7 => OddKeys[_random.Next(OddKeys.Length)],
        < 9 => PlainWord().Trim() is { Length: > 0 } word ? word : "k",
        _ => Text(),
    };

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
