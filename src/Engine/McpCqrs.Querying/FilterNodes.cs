namespace McpCqrs.Querying;

/// <summary>What the filter parser needs from a <see cref="FieldMap{T}"/>.</summary>
internal interface IFieldLookup
{
    /// <summary>The mapped names, for "known fields: ..." in messages.</summary>
    string KnownNames { get; }

    bool TryGet(string name, out FieldDefinition definition);
}

/// <summary>A parsed, type-checked filter: conditions joined by AND/OR.</summary>
internal abstract record FilterNode;

/// <summary><c>left,right</c> (AND) or <c>left|right</c> (OR).</summary>
internal sealed record LogicalNode(FilterNode Left, FilterNode Right, bool IsOr) : FilterNode;

/// <summary>
/// <c>field op value</c> with the value already converted to the field's scalar type (lower-cased when
/// <see cref="CaseInsensitive"/>); <see cref="IsNull"/> for the literal <c>null</c>;
/// <see cref="IsNullOrDefault"/> for an empty value after <c>=</c>/<c>!=</c> (Gridify: null or the type's default, "" for text).
/// </summary>
internal sealed record ConditionNode(FieldDefinition Field, FilterOperator Operator, object? Value, bool IsNull, bool CaseInsensitive, bool IsNullOrDefault = false) : FilterNode;

/// <summary>
/// One key of an order-by list: the field's value, or (Gridify's <c>field?</c> and <c>field!</c>) whether it has one.
/// </summary>
internal sealed record OrderKey(FieldDefinition Field, bool Descending, OrderKeyKind Kind = OrderKeyKind.Value);

/// <summary>What an <see cref="OrderKey"/> orders by.</summary>
internal enum OrderKeyKind
{
    /// <summary><c>field</c>: the value itself.</summary>
    Value,

    /// <summary><c>field?</c>: whether it has a value (ascending: those without one first), as Gridify's <c>HasValue</c> ordering.</summary>
    HasValue,

    /// <summary><c>field!</c>: whether it has none (ascending: those with one first).</summary>
    HasNoValue,
}
