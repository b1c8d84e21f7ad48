using System.Linq.Expressions;
using System.Reflection;

namespace McpCqrs.Querying;

/// <summary>
/// The query engine: Gridify's public filter and order-by syntax over any <see cref="IQueryable{T}"/>, written by
/// hand over <see cref="System.Linq.Expressions"/> because the Gridify package is not on our package feed. It keeps
/// Gridify's syntax so that a filter means the same here as in any Gridify-based API; the
/// <see cref="FieldMap{T}"/> plays the part of Gridify's mapper and is the whitelist.
/// <list type="bullet">
/// <item><c>field&lt;op&gt;value</c> with <c>= != &lt; &gt; &lt;= &gt;= =* !* ^ $ !^ !$</c>; <c>/i</c> after a text
/// value matches case-insensitively (both sides lower-cased).</item>
/// <item><c>,</c> (AND) and <c>|</c> (OR) have the same precedence and are read left to right, as in Gridify:
/// <c>a=1|b=2,c=3</c> is <c>(a=1|b=2),c=3</c>. Parentheses group.</item>
/// <item>A backslash escapes the next character (<c>\, \| \( \) \/i \\</c>); <c>null</c> (unescaped) is the null
/// value, for <c>=</c> and <c>!=</c>; as in Gridify, an empty value (<c>title=</c>, <c>title!=</c>) means null or the default (<c>""</c> for text, 0 for numbers).</item>
/// <item>Values convert to the field's type: numbers in the invariant culture, <c>true</c>/<c>false</c>, enums by
/// name only, ISO 8601 dates (UTC), GUIDs. Lists (<c>tags</c>) take <c>=</c> (contains) and <c>!=</c>.</item>
/// <item><c>&lt; &gt; &lt;= &gt;=</c> on text compare with <c>string.Compare(a, b)</c>, as Gridify does; EF Core
/// translates it to SQL <c>&lt;</c>/<c>&gt;</c>, so the order is the database column's collation.</item>
/// <item>White space before a value is skipped; after a text value it is part of the value, as Gridify's lexer
/// reads it (<c>title=abc ,x=1</c> compares with <c>"abc "</c>); other types ignore it.</item>
/// <item>Order-by keys <c>field</c>, <c>field asc|desc</c>, and Gridify's null checks <c>field?</c> (whether it has a
/// value) and <c>field!</c> (whether it has none) on nullable fields.</item>
/// </list>
/// Where we differ from the Gridify package (to refuse or to clarify; the one filter Gridify accepts that means
/// something else here is <c>\null</c>, the text "null" here and null there; the README lists each): every error is a <see cref="QuerySyntaxException"/> with a position,
/// where Gridify may ignore a bad value or compare with a value it could not convert; enums by number, string
/// operators on non-text fields and <c>/i</c> on non-text are refused; a <c>/i</c> that does not end a value is
/// literal text (Gridify: a syntax error); <c>\null</c> is the text "null"; a value ending in a lone backslash is
/// refused; <c>asc</c>/<c>desc</c> in any case; a key once per kind; <c>?</c>/<c>!</c> also on nullable references.
/// Gridify's custom operators (<c>#op</c>), indexers (<c>field[0]</c>) and <c>-</c> in field names are not supported.
/// <para>Stateless and thread-safe: use one instance (<see cref="Instance"/>, or a DI singleton).</para>
/// </summary>
public sealed class GridifyQueryEngine : IQueryEngine
{
    /// <summary>Longest filter accepted, in characters.</summary>
    public const int MaxFilterLength = FilterParser.MaxLength;

    /// <summary>Deepest nesting of parentheses accepted.</summary>
    public const int MaxDepth = FilterParser.MaxDepth;

    /// <summary>Most conditions in one filter.</summary>
    public const int MaxConditions = FilterParser.MaxConditions;

    /// <summary>Longest order-by list accepted, in characters.</summary>
    public const int MaxOrderByLength = OrderByParser.MaxLength;

    private static readonly MethodInfo OrderByMethod = QueryableMethod(nameof(Queryable.OrderBy));
    private static readonly MethodInfo OrderByDescendingMethod = QueryableMethod(nameof(Queryable.OrderByDescending));
    private static readonly MethodInfo ThenByMethod = QueryableMethod(nameof(Queryable.ThenBy));
    private static readonly MethodInfo ThenByDescendingMethod = QueryableMethod(nameof(Queryable.ThenByDescending));

    public static GridifyQueryEngine Instance { get; } = new();

    /// <inheritdoc/>
    public IQueryable<T> Filter<T>(IQueryable<T> source, string? filter, FieldMap<T> fields)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fields);
        return Predicate(filter, fields) is { } predicate ? source.Where(predicate) : source;
    }

    /// <summary>The predicate of <paramref name="filter"/> (remembered by the map), or null for no filter.</summary>
    private static Expression<Func<T, bool>>? Predicate<T>(string? filter, FieldMap<T> fields) =>
        filter is null || (filter.Length <= MaxFilterLength && string.IsNullOrWhiteSpace(filter))
            ? null
            : fields.Predicate(filter, static (text, map) => Build<T>(FilterParser.Parse(text, map)!));

    private static Expression<Func<T, bool>> Build<T>(FilterNode node)
    {
        var parameter = Expression.Parameter(typeof(T), "x");
        return Expression.Lambda<Func<T, bool>>(FilterExpressionBuilder.Build(node, parameter), parameter);
    }

    private static IReadOnlyList<OrderKey> OrderKeys<T>(string? orderBy, FieldMap<T> fields) =>
        orderBy is null || (orderBy.Length <= MaxOrderByLength && string.IsNullOrWhiteSpace(orderBy))
            ? []
            : fields.Order(orderBy, static (text, map) => OrderByParser.Parse(text, map));

    /// <inheritdoc/>
    public IOrderedQueryable<T> Order<T>(
        IQueryable<T> source,
        string? orderBy,
        FieldMap<T> fields,
        Expression<Func<T, object?>>? tieBreaker = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fields);
        var keys = OrderKeys(orderBy, fields);
        if (keys.Count == 0)
        {
            keys = fields.DefaultOrderKeys;
        }

        if (keys.Count == 0 && tieBreaker is null)
        {
            throw new InvalidOperationException(
                $"Nothing to order {typeof(T).Name} by: give an orderBy, a FieldMap.OrderByDefault or a tie-breaker.");
        }

        // LINQ to Objects needs null guards on nested paths; a SQL provider propagates nulls by itself.
        var nullSafe = source is EnumerableQuery;
        var query = source.Expression;
        var first = true;
        foreach (var key in keys)
        {
            var selector = KeySelector<T>(key, nullSafe);
            query = ApplyOrder(query, selector, first, key.Descending);
            first = false;
        }

        if (tieBreaker is not null)
        {
            query = ApplyOrder(query, WithoutBoxing(tieBreaker), first, descending: false);
        }

        return (IOrderedQueryable<T>)source.Provider.CreateQuery<T>(query);
    }

    /// <summary>
    /// The key selector of each order key, made once (a lambda whose delegate type is found by reflection, on every
    /// ordered query otherwise): an expression tree is immutable, so every query ordered by the key shares it. Keys
    /// are equal by field, direction and kind, so there are at most a few per orderable field, however many order-by
    /// texts are seen.
    /// </summary>
    private static LambdaExpression KeySelector<T>(OrderKey key, bool nullSafe) =>
        // Field maps are made once per type; the bound only matters to a program that makes them on the fly.
        Remembered.Get(KeySelectors, (Key: key, NullSafe: nullSafe), MaxKeySelectors, typeof(T), static (k, element) => FilterExpressionBuilder.KeySelector(k.Key, Expression.Parameter(element, "x"), k.NullSafe));

    private const int MaxKeySelectors = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(OrderKey Key, bool NullSafe), LambdaExpression> KeySelectors = new();

    /// <inheritdoc/>
    public FilterCheck Validate<T>(string? filter, string? orderBy, FieldMap<T> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        try
        {
            Predicate(filter, fields);
            OrderKeys(orderBy, fields);
            return FilterCheck.Valid;
        }
        catch (QuerySyntaxException ex)
        {
            return FilterCheck.Invalid(ex);
        }
    }

    private static MethodCallExpression ApplyOrder(Expression query, LambdaExpression key, bool first, bool descending)
    {
        var method = (first, descending) switch
        {
            (true, false) => OrderByMethod,
            (true, true) => OrderByDescendingMethod,
            (false, false) => ThenByMethod,
            (false, true) => ThenByDescendingMethod,
        };
        var closed = ClosedOrderMethods.GetOrAdd((method, key.Parameters[0].Type, key.ReturnType), static k => k.Open.MakeGenericMethod(k.Element, k.Key));
        return Expression.Call(closed, query, Expression.Quote(key));
    }

    /// <summary><c>Queryable.OrderBy&lt;TElement, TKey&gt;</c> and its kin closed over the types seen so far: made once each
    /// (closing a generic method is a reflection lookup, on every ordered query otherwise). A field map has few keys.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(MethodInfo Open, Type Element, Type Key), MethodInfo> ClosedOrderMethods = new();

    /// <summary>
    /// <c>x =&gt; (object)x.Id</c> becomes <c>x =&gt; x.Id</c>, so the provider orders by the column's own type. The
    /// lambda's delegate type is remembered per key type (found by reflection otherwise, on every call).
    /// </summary>
    private static LambdaExpression WithoutBoxing<T>(Expression<Func<T, object?>> key) =>
        key.Body is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert && convert.Type == typeof(object)
            ? Expression.Lambda(KeyFunctions.GetOrAdd((typeof(T), convert.Operand.Type), static k => typeof(Func<,>).MakeGenericType(k.Element, k.Key)), convert.Operand, key.Parameters)
            : key;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type Element, Type Key), Type> KeyFunctions = new();

    private static MethodInfo QueryableMethod(string name) => typeof(Queryable)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == name && m.GetParameters().Length == 2);
}
