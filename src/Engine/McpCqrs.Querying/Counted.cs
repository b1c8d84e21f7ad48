using System.Linq.Expressions;
using System.Reflection;

namespace McpCqrs.Querying;

/// <summary>A row of a page read together with the number of all matching rows (<see cref="QueryablePaging.WithTotal"/>).</summary>
/// <param name="Item">The row.</param>
/// <param name="Total">How many rows match the filter, on every page.</param>
public sealed record Counted<T>(T Item, int Total);

public static partial class QueryablePaging
{
    private static readonly MethodInfo CountMethod = typeof(Queryable)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(Queryable.Count) && m.GetParameters().Length == 1);

    /// <summary>
    /// Each row of <paramref name="page"/> with the count of <paramref name="matching"/> beside it, so that a provider
    /// that translates subqueries (EF Core) reads a page and its total in one statement — one round trip instead of a
    /// count and then the page, and both from the same snapshot. A page past the last one has no row to carry the
    /// total: <see cref="ToPage{TItem}(IReadOnlyList{Counted{TItem}}, int, int)"/> says when it must be counted on its own.
    /// </summary>
    /// <param name="page">The ordered, paged and projected rows.</param>
    /// <param name="matching">The filtered rows <paramref name="page"/> was taken from, before order, paging and projection.</param>
    public static IQueryable<Counted<TItem>> WithTotal<TItem, TSource>(this IQueryable<TItem> page, IQueryable<TSource> matching)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(matching);
        var item = Expression.Parameter(typeof(TItem), "item");
        var total = Expression.Call(CountOf<TSource>.Method, matching.Expression);
        return page.Select(Expression.Lambda<Func<TItem, Counted<TItem>>>(Expression.New(CountedOf<TItem>.Constructor, item, total), item));
    }

    /// <summary>
    /// The page of <paramref name="rows"/> (read with <see cref="WithTotal"/>); null when the total cannot be known
    /// from them — no row on a page after the first: count the matching rows then and call the other overload.
    /// </summary>
    public static Page<TItem>? ToPage<TItem>(this IReadOnlyList<Counted<TItem>> rows, int page, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count > 0 ? rows.ToPage(page, pageSize, rows[0].Total)
            : page <= 1 ? rows.ToPage(page, pageSize, 0)
            : null;
    }

    /// <summary>The page of <paramref name="rows"/> with a <paramref name="total"/> counted apart.</summary>
    public static Page<TItem> ToPage<TItem>(this IReadOnlyList<Counted<TItem>> rows, int page, int pageSize, int total)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var items = new TItem[rows.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = rows[i].Item;
        }

        return new Page<TItem>(items, page, pageSize, total);
    }

    /// <summary><c>Queryable.Count&lt;T&gt;</c>, closed once per element type.</summary>
    private static class CountOf<T>
    {
        public static readonly MethodInfo Method = CountMethod.MakeGenericMethod(typeof(T));
    }

    private static class CountedOf<T>
    {
        public static readonly ConstructorInfo Constructor = typeof(Counted<T>).GetConstructor([typeof(T), typeof(int)])!;
    }
}
