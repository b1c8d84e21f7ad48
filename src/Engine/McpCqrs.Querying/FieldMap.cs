using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;

namespace McpCqrs.Querying;

/// <summary>
/// The whitelist of what a caller may filter and order <typeparamref name="T"/> by: each entry maps a public,
/// camelCase name (matched case-insensitively) to a member path, possibly nested (<c>x =&gt; x.Customer!.Name</c>).
/// Nothing is reflected from <typeparamref name="T"/>: an unmapped member cannot be reached. Build it once (e.g.
/// in a static field) and share it; it is read-only once built, and safe to use from many threads.
/// </summary>
public sealed class FieldMap<T> : IFieldLookup, IFieldMap
{
    private readonly Dictionary<string, FieldDefinition> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FieldDefinition> _definitions = [];
    private readonly List<QueryField> _fields = [];
    private IReadOnlyList<OrderKey> _defaultOrder = [];

    // What the engine made of the filters and orders callers sent lately (a client pages and re-sends the same
    // ones): the predicate and the keys are immutable, and a filter's values are read from holder objects that EF
    // Core turns into parameters, so one tree serves every call. Bounded: past the limit, inputs are parsed anew.
    private readonly ConcurrentDictionary<string, Expression<Func<T, bool>>> _predicates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<OrderKey>> _orders = new(StringComparer.Ordinal);

    /// <summary>Most filters (and, apart, order-by lists) remembered per map.</summary>
    internal const int MaxRemembered = 256;

    /// <summary>The mapped fields, in the order they were mapped.</summary>
    public IReadOnlyList<QueryField> Fields => _fields;

    /// <summary>The order used when a caller gives none (<see cref="OrderByDefault"/>), or <c>null</c>.</summary>
    public string? DefaultOrder { get; private set; }

    internal IReadOnlyList<OrderKey> DefaultOrderKeys => _defaultOrder;

    string IFieldLookup.KnownNames => _definitions.Count == 0 ? "(none)" : string.Join(", ", _definitions.Select(d => d.Name));

    /// <summary>
    /// Maps <paramref name="name"/> (letters, digits, '_' and '.', starting with a letter) to <paramref name="path"/>.
    /// Strings, numbers, bool, enums, Guid, DateTime, DateTimeOffset, DateOnly, TimeOnly (and their nullable
    /// versions) and collections of those are supported.
    /// </summary>
    /// <exception cref="ArgumentException">The name is malformed or taken, the path is not a member chain, or its type is not supported.</exception>
    public FieldMap<T> Map<TValue>(string name, Expression<Func<T, TValue>> path, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(path);
        if (!char.IsAsciiLetter(name[0]) || !name.All(FilterParser.IsAsciiFieldChar))
        {
            throw new ArgumentException($"Field name '{name}' must start with a letter and hold only letters, digits, '_' and '.'.", nameof(name));
        }

        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException($"Field '{name}' is mapped twice.", nameof(name));
        }

        var definition = FieldDefinition.Create(name, path, description);
        _byName.Add(name, definition);
        _definitions.Add(definition);
        _fields.Add(definition.Public);
        return this;
    }

    /// <summary>The order used when a caller gives none, in <c>orderBy</c> syntax (e.g. <c>"updatedAt desc"</c>); map its fields first.</summary>
    /// <exception cref="ArgumentException"><paramref name="orderBy"/> does not parse against the fields mapped so far.</exception>
    public FieldMap<T> OrderByDefault(string orderBy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderBy);
        try
        {
            _defaultOrder = OrderByParser.Parse(orderBy, this);
        }
        catch (QuerySyntaxException ex)
        {
            throw new ArgumentException($"The default order is invalid: {ex.Message}", nameof(orderBy), ex);
        }

        DefaultOrder = orderBy;
        return this;
    }

    /// <summary>
    /// A short summary of the syntax, the fields and their operators, meant for a tool's input-schema
    /// description (a model reads it to write <c>filter</c> and <c>orderBy</c>).
    /// </summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("Filter (Gridify syntax): field<op>value. Operators: = != < > <= >=, and for text =* (contains) !* (does not contain) ")
            .Append("^ (starts with) $ (ends with) !^ !$; add /i after a text value for a case-insensitive match (title=*printer/i). ")
            .Append("',' is AND, '|' is OR; they have the same precedence and are read left to right, so a=1|b=2,c=3 means (a=1|b=2),c=3: ")
            .Append("use parentheses. null means no value (assignee=null). Escape , | ( ) \\ in values with a backslash. ")
            .Append("Dates are ISO 8601 (2026-01-31 or 2026-01-31T08:00:00Z), enums by name.")
            .Append('\n')
            .Append("Fields:");
        foreach (var field in _fields)
        {
            text.Append("\n- ").Append(field.Name).Append(": ").Append(field.ValueDescription);
            if (field.Nullable)
            {
                text.Append(", may be null");
            }

            text.Append("; ").Append(field.ValueDescription.StartsWith("a list", StringComparison.Ordinal)
                ? "= (contains) != (does not contain)"
                : string.Join(' ', field.Operators));
            if (!string.IsNullOrWhiteSpace(field.Description))
            {
                text.Append(". ").Append(field.Description);
            }
        }

        text.Append('\n').Append(CultureInfo.InvariantCulture, $"Order by: comma-separated fields, each optionally followed by asc or desc (e.g. \"{ExampleOrder()}\")");
        if (DefaultOrder is not null)
        {
            text.Append("; default: ").Append(DefaultOrder);
        }

        text.Append('.');
        return text.ToString();
    }

    /// <summary>The predicate of <paramref name="filter"/>, built by <paramref name="build"/> once while there is room to remember it.</summary>
    internal Expression<Func<T, bool>> Predicate(string filter, Func<string, FieldMap<T>, Expression<Func<T, bool>>> build) =>
        Remembered.Get(_predicates, filter, MaxRemembered, this, build);

    /// <summary>The keys of <paramref name="orderBy"/>, parsed by <paramref name="parse"/> once while there is room to remember them.</summary>
    internal IReadOnlyList<OrderKey> Order(string orderBy, Func<string, FieldMap<T>, IReadOnlyList<OrderKey>> parse) =>
        Remembered.Get(_orders, orderBy, MaxRemembered, this, parse);

    bool IFieldLookup.TryGet(string name, out FieldDefinition definition) => _byName.TryGetValue(name, out definition!);

    private string ExampleOrder()
    {
        var orderable = _fields.Where(f => f.CanOrderBy).Select(f => f.Name).Take(2).ToList();
        return orderable.Count switch
        {
            0 => "name desc",
            1 => orderable[0] + " desc",
            _ => $"{orderable[0]} desc, {orderable[1]}",
        };
    }
}
