namespace McpCqrs.Querying;

/// <summary>
/// The outcome of <see cref="IQueryEngine.Validate{T}"/>: whether a filter and an order-by list parse against a
/// field map, and if not, the first error (with its position) so a validator can report it before any query runs.
/// </summary>
public sealed record FilterCheck
{
    private FilterCheck(QuerySyntaxException? error) => Error = error;

    /// <summary>Both inputs are valid (or empty).</summary>
    public static FilterCheck Valid { get; } = new((QuerySyntaxException?)null);

    /// <summary>The first error found, or <c>null</c> when <see cref="IsValid"/>.</summary>
    public QuerySyntaxException? Error { get; }

    public bool IsValid => Error is null;

    public static FilterCheck Invalid(QuerySyntaxException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new FilterCheck(error);
    }

    /// <summary>Throws <see cref="Error"/> when the check failed.</summary>
    public void ThrowIfInvalid()
    {
        if (Error is not null)
        {
            throw Error;
        }
    }
}
