using System.Text.Json.Serialization;

namespace McpCqrs.Querying;

/// <summary>
/// One page of a larger result, with what a caller needs to ask for the next one. On the wire it is the page
/// envelope <c>{items, page, pageSize, totalItems, totalPages, hasNext}</c>.
/// </summary>
public sealed record Page<T>(
    IReadOnlyList<T> Items,
    [property: JsonPropertyName("page")] int PageNumber,
    int PageSize,
    int TotalItems)
{
    public int TotalPages => PageSize <= 0 ? 0 : (int)Math.Ceiling(TotalItems / (double)PageSize);

    public bool HasNext => PageNumber < TotalPages;
}
