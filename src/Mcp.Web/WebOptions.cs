using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Web;

/// <summary>Bound from the <c>Api</c> section.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>The largest request body accepted, in bytes; larger bodies get 413.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
