using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp.Output;

/// <summary>
/// The server's output settings, section <c>Mcp:Output</c>: the default format of tool results and the TOON encoder
/// options. Unset, results are JSON.
/// </summary>
/// <remarks>
/// Validation (<see cref="Validate"/>) runs at start-up; it is also what <c>ValidateDataAnnotations()</c> runs, through
/// <see cref="IValidatableObject"/>.
/// </remarks>
public sealed class OutputOptions : IValidatableObject
{
    public const string SectionName = "Mcp:Output";

    /// <summary>
    /// The format of tools whose binding says <see cref="OutputFormat.Default"/> and whose call does not choose:
    /// <c>Json</c> (the default), <c>Toon</c> or <c>Auto</c>.
    /// </summary>
    public OutputFormat DefaultFormat { get; set; } = OutputFormat.Json;

    /// <summary>How TOON text is written.</summary>
    public ToonOutputOptions Toon { get; set; } = new();

    /// <summary>What is wrong with these settings; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(DefaultFormat))
        {
            errors.Add($"{SectionName}:DefaultFormat must be Json, Toon or Auto.");
        }

        if (Toon is null)
        {
            errors.Add($"{SectionName}:Toon must not be null.");
        }
        else
        {
            if (Toon.DelimiterChar is null)
            {
                errors.Add($"{SectionName}:Toon:Delimiter must be \",\", a tab or \"|\" (or comma, tab, pipe), not \"{Toon.Delimiter}\".");
            }

            if (Toon.Indent is < ToonOutputOptions.MinIndent or > ToonOutputOptions.MaxIndent)
            {
                errors.Add($"{SectionName}:Toon:Indent must be between {ToonOutputOptions.MinIndent} and {ToonOutputOptions.MaxIndent}, not {Toon.Indent}.");
            }
        }

        return errors;
    }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(error => new ValidationResult(error));
}

/// <summary>TOON encoder options (TOON spec §13), section <c>Mcp:Output:Toon</c>.</summary>
public sealed class ToonOutputOptions
{
    public const int MinIndent = 1;
    public const int MaxIndent = 8;

    /// <summary>
    /// The document delimiter (TOON spec §11): <c>","</c> (default), a tab or <c>"|"</c>; also accepted by name
    /// (any case): <c>comma</c>, <c>tab</c>, <c>pipe</c>, and <c>\t</c> written out.
    /// </summary>
    public string Delimiter { get; set; } = ",";

    /// <summary>Spaces per indentation level (TOON spec <c>indentSize</c>), 1 to 8; default 2.</summary>
    public int Indent { get; set; } = 2;

    /// <summary>The delimiter character, or null when <see cref="Delimiter"/> is not one of the accepted values.</summary>
    public char? DelimiterChar => Delimiter switch
    {
        "," => ',',
        "\t" or "\\t" => '\t',
        "|" => '|',
        _ => Delimiter?.ToUpperInvariant() switch
        {
            "COMMA" => ',',
            "TAB" => '\t',
            "PIPE" => '|',
            _ => null,
        },
    };
}
