namespace McpCqrs.Querying;

/// <summary>The comparison operators of the Gridify syntax.</summary>
internal enum FilterOperator
{
    Equal,
    NotEqual,
    LessThan,
    GreaterThan,
    LessThanOrEqual,
    GreaterThanOrEqual,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    NotStartsWith,
    NotEndsWith,
}

/// <summary>How a field's values compare, which decides the operators that apply to it.</summary>
internal enum FieldKind
{
    /// <summary>A string: every operator, <c>/i</c>.</summary>
    Text,

    /// <summary>Numbers, dates, times, enums: equality and ordering.</summary>
    Ordered,

    /// <summary>bool, Guid: equality only.</summary>
    Equatable,

    /// <summary>A collection of scalars: <c>=</c> (contains the element) and <c>!=</c> (does not).</summary>
    List,
}

internal static class FilterOperators
{
    private static readonly FilterOperator[] TextOperators =
    [
        FilterOperator.Equal, FilterOperator.NotEqual,
        FilterOperator.LessThan, FilterOperator.GreaterThan, FilterOperator.LessThanOrEqual, FilterOperator.GreaterThanOrEqual,
        FilterOperator.Contains, FilterOperator.NotContains,
        FilterOperator.StartsWith, FilterOperator.EndsWith, FilterOperator.NotStartsWith, FilterOperator.NotEndsWith,
    ];

    private static readonly FilterOperator[] OrderedOperators =
    [
        FilterOperator.Equal, FilterOperator.NotEqual,
        FilterOperator.LessThan, FilterOperator.GreaterThan, FilterOperator.LessThanOrEqual, FilterOperator.GreaterThanOrEqual,
    ];

    private static readonly FilterOperator[] EqualityOperators = [FilterOperator.Equal, FilterOperator.NotEqual];

    /// <summary>Every operator symbol, for messages.</summary>
    public const string AllSymbols = "= != < > <= >= =* !* ^ $ !^ !$";

    public static IReadOnlyList<FilterOperator> For(FieldKind kind) => kind switch
    {
        FieldKind.Text => TextOperators,
        FieldKind.Ordered => OrderedOperators,
        _ => EqualityOperators,
    };

    public static string Symbol(this FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "!=",
        FilterOperator.LessThan => "<",
        FilterOperator.GreaterThan => ">",
        FilterOperator.LessThanOrEqual => "<=",
        FilterOperator.GreaterThanOrEqual => ">=",
        FilterOperator.Contains => "=*",
        FilterOperator.NotContains => "!*",
        FilterOperator.StartsWith => "^",
        FilterOperator.EndsWith => "$",
        FilterOperator.NotStartsWith => "!^",
        FilterOperator.NotEndsWith => "!$",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}
