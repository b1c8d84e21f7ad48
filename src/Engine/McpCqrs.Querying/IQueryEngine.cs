using System.Linq.Expressions;

namespace McpCqrs.Querying;

/// <summary>
/// Filters and orders an <see cref="IQueryable{T}"/> from the Gridify syntax a caller sends (<c>filter</c>,
/// <c>orderBy</c>), restricted to the fields of a <see cref="FieldMap{T}"/>. This is the one seam between handlers
/// and the query language: swapping in the Gridify package later is a new implementation of this interface.
/// </summary>
public interface IQueryEngine
{
    /// <summary>
    /// Applies <paramref name="filter"/> (Gridify syntax, e.g. <c>title=*printer/i,priority&gt;=High</c>) as a
    /// <c>Where</c>. A <c>null</c>, empty or blank filter returns <paramref name="source"/> unchanged.
    /// </summary>
    /// <exception cref="QuerySyntaxException">The filter is not valid for <paramref name="fields"/>.</exception>
    IQueryable<T> Filter<T>(IQueryable<T> source, string? filter, FieldMap<T> fields);

    /// <summary>
    /// Orders by <paramref name="orderBy"/> (<c>"priority desc, createdAt"</c>); when it is empty, by the map's
    /// <see cref="FieldMap{T}.OrderByDefault"/>. <paramref name="tieBreaker"/> (a unique key such as the id) is
    /// always appended last, ascending, so that paging is deterministic.
    /// </summary>
    /// <exception cref="QuerySyntaxException"><paramref name="orderBy"/> is not valid for <paramref name="fields"/>.</exception>
    /// <exception cref="InvalidOperationException">There is nothing to order by: no order given, no default, no tie-breaker.</exception>
    IOrderedQueryable<T> Order<T>(
        IQueryable<T> source,
        string? orderBy,
        FieldMap<T> fields,
        Expression<Func<T, object?>>? tieBreaker = null);

    /// <summary>Parses (and type-checks) both inputs without building a query, for early errors.</summary>
    FilterCheck Validate<T>(string? filter, string? orderBy, FieldMap<T> fields);
}
