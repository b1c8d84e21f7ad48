using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Querying;

/// <summary>What a field map tells callers, whatever entity it maps (for schemas and documentation).</summary>
public interface IFieldMap
{
    IReadOnlyList<QueryField> Fields { get; }

    string? DefaultOrder { get; }

    /// <summary>The syntax, the fields and their operators, for a model to read.</summary>
    string Describe();
}

/// <summary>
/// A query whose result is filtered, ordered and paged with the Gridify syntax. Over MCP it is a selector tool:
/// its <c>filter</c> and <c>orderBy</c> arguments are described with the fields and operators of its map.
/// </summary>
public interface ISelectorQuery
{
    /// <summary>Gridify filter, e.g. <c>status=Open,priority&gt;=High</c>.</summary>
    string? Filter { get; }

    /// <summary>Gridify ordering, e.g. <c>priority desc, createdAt</c>.</summary>
    string? OrderBy { get; }

    /// <summary>The 1-based page.</summary>
    int Page { get; }

    int PageSize { get; }
}

/// <summary>Limits of selector queries. Bound from <c>Querying</c>.</summary>
public sealed class QueryingOptions
{
    public const string SectionName = "Querying";

    /// <summary>The largest page a caller may ask for.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 100;
}
