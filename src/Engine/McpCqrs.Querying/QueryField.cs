namespace McpCqrs.Querying;

/// <summary>
/// One field a caller may filter or order by, as a tool's input-schema description needs it: the name to write
/// in <c>filter</c>/<c>orderBy</c>, the mapped value type, the operators that apply (<c>=</c>, <c>=*</c>, ...).
/// </summary>
public sealed record QueryField(string Name, Type ValueType, string? Description, IReadOnlyList<string> Operators)
{
    /// <summary>What a value looks like: "text", "whole number", "one of Low, Normal, High", "a list of text", ...</summary>
    public string ValueDescription { get; init; } = "text";

    /// <summary>For an enum field, its names (the only values accepted); otherwise <c>null</c>.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>Whether the field may appear in <c>orderBy</c> (lists may not).</summary>
    public bool CanOrderBy { get; init; } = true;

    /// <summary>Whether <c>/i</c> (case-insensitive match) applies: text and lists of text.</summary>
    public bool CaseInsensitive { get; init; }

    /// <summary>Whether the value can be missing, so that <c>=null</c> and <c>!=null</c> apply.</summary>
    public bool Nullable { get; init; }
}
