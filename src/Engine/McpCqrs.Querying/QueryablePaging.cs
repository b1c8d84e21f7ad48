namespace McpCqrs.Querying;

/// <summary>A 1-based page number and a page size, as a caller sent them. Validating them is the caller's job.</summary>
public sealed record PageRequest(int Page, int PageSize);

/// <summary>Gridify-style paging (<c>Page</c> is 1-based) over any <see cref="IQueryable{T}"/>.</summary>
public static partial class QueryablePaging
{
    /// <summary>
    /// Skips the pages before <paramref name="page"/> and takes <paramref name="pageSize"/> items. Order the query
    /// first (see <see cref="IQueryEngine.Order{T}"/>), or the pages are not stable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="page"/> or <paramref name="pageSize"/> is less than 1.</exception>
    public static IQueryable<T> Page<T>(this IQueryable<T> source, int page, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var skip = (long)(page - 1) * pageSize;
        return source.Skip(skip > int.MaxValue ? int.MaxValue : (int)skip).Take(pageSize);
    }

    /// <inheritdoc cref="Page{T}(IQueryable{T}, int, int)"/>
    public static IQueryable<T> Page<T>(this IQueryable<T> source, PageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return source.Page(request.Page, request.PageSize);
    }
}
