namespace McpCqrs.Querying;

/// <summary>
/// A <c>filter</c> or <c>orderBy</c> string a caller wrote is not valid for the field map it was used with.
/// Every user error of the query engine is this exception (never an <see cref="IndexOutOfRangeException"/> or an
/// expression-compiler error): the message names what is wrong and where, <see cref="Position"/> is the 0-based
/// index in the input, and <see cref="InputKind"/> says which input (<c>"filter"</c> or <c>"orderBy"</c>), which
/// is also the name of the argument the caller sent.
/// </summary>
public sealed class QuerySyntaxException : Exception
{
    /// <summary>The <see cref="InputKind"/> of an error in a filter.</summary>
    public const string Filter = "filter";

    /// <summary>The <see cref="InputKind"/> of an error in an order-by list.</summary>
    public const string OrderBy = "orderBy";

    public QuerySyntaxException(string inputKind, int position, string message)
        : base(message)
    {
        InputKind = inputKind;
        Position = position;
    }

    /// <summary><see cref="Filter"/> or <see cref="OrderBy"/>.</summary>
    public string InputKind { get; }

    /// <summary>The 0-based index in the input where the problem is (the input's length when it ends too early).</summary>
    public int Position { get; }
}
