namespace McpCqrs.Querying;

/// <summary>
/// Parses a Gridify order-by list, <c>"priority desc, createdAt"</c>: comma-separated mapped fields, each with an
/// optional <c>asc</c> or <c>desc</c> (case-insensitive). As in Gridify, <c>field?</c> orders by whether the field has a
/// value and <c>field!</c> by whether it has none (nullable fields only), so <c>"assignee!, assignee"</c> puts the
/// unassigned last. A key may appear once; lists cannot be ordered by.
/// </summary>
internal static class OrderByParser
{
    public const int MaxLength = 2000;

    /// <summary>The keys, or an empty list when <paramref name="text"/> is null, empty or blank.</summary>
    /// <exception cref="QuerySyntaxException">The list is not valid for <paramref name="fields"/>.</exception>
    public static IReadOnlyList<OrderKey> Parse(string? text, IFieldLookup fields)
    {
        if (text is null)
        {
            return [];
        }

        if (text.Length > MaxLength)
        {
            throw Error(MaxLength, $"orderBy longer than {MaxLength} characters ({text.Length})");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var keys = new List<OrderKey>();
        var pos = 0;
        while (true)
        {
            pos = SkipWhiteSpace(text, pos);
            var start = pos;
            while (pos < text.Length && FilterParser.IsFieldChar(text[pos]))
            {
                pos++;
            }

            if (pos == start)
            {
                throw Error(start, $"expected a field name at {start}, found {Found(text, start)}");
            }

            var name = text[start..pos];
            if (!fields.TryGet(name, out var field))
            {
                throw Error(start, $"unknown field '{FilterParser.Clip(name)}' at {start}; known fields: {fields.KnownNames}");
            }

            if (field.Kind == FieldKind.List)
            {
                throw Error(start, $"'{field.Name}' at {start} is a list and cannot be ordered by");
            }

            var kind = OrderKeyKind.Value;
            if (pos < text.Length && text[pos] is '?' or '!')
            {
                kind = text[pos] == '?' ? OrderKeyKind.HasValue : OrderKeyKind.HasNoValue;
                if (!field.IsNullable)
                {
                    throw Error(pos, $"'{text[pos]}' at {pos} orders by whether '{field.Name}' has a value, but it always has one");
                }

                pos++;
            }

            if (keys.Exists(k => k.Field == field && k.Kind == kind))
            {
                throw Error(start, $"'{field.Name}{(kind == OrderKeyKind.Value ? "" : text[pos - 1])}' at {start} is already in the order");
            }

            pos = SkipWhiteSpace(text, pos);
            var descending = false;
            if (pos < text.Length && text[pos] != ',')
            {
                var wordStart = pos;
                while (pos < text.Length && text[pos] != ',' && !char.IsWhiteSpace(text[pos]))
                {
                    pos++;
                }

                var word = text[wordStart..pos];
                if (string.Equals(word, "desc", StringComparison.OrdinalIgnoreCase))
                {
                    descending = true;
                }
                else if (!string.Equals(word, "asc", StringComparison.OrdinalIgnoreCase))
                {
                    throw Error(wordStart, $"expected 'asc' or 'desc' after '{field.Name}' at {wordStart}, found '{FilterParser.Clip(word)}'");
                }

                pos = SkipWhiteSpace(text, pos);
            }

            keys.Add(new OrderKey(field, descending, kind));
            if (pos >= text.Length)
            {
                return keys;
            }

            if (text[pos] != ',')
            {
                throw Error(pos, $"expected ',' at {pos}, found {Found(text, pos)}");
            }

            pos++;
        }
    }

    private static string Found(string text, int pos) => pos >= text.Length ? "the end of orderBy" : FilterParser.Show(text[pos]);

    private static int SkipWhiteSpace(string text, int pos)
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static QuerySyntaxException Error(int position, string message) =>
        new(QuerySyntaxException.OrderBy, position, message);
}
