using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// Bound from <c>Auth:ClientMetadataDocuments</c>: whether the embedded authorization server accepts an https URL as a
/// <c>client_id</c> (OAuth Client ID Metadata Document), and how it fetches and caches those documents.
/// </summary>
public sealed class ClientMetadataDocumentOptions : IValidatableObject
{
    public const string SectionName = "Auth:ClientMetadataDocuments";

    /// <summary>Whether URL client ids are accepted (and <c>client_id_metadata_document_supported</c> advertised).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The largest document accepted, in bytes: from 5 KB (the draft's suggestion, the default) to 64 KB.</summary>
    [Range(5120, 65536)]
    public int MaxBytes { get; set; } = 5 * 1024;

    /// <summary>How long one fetch may take, from connecting to the last byte.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The least time a fetched document (or a failed fetch) is kept, whatever its <c>Cache-Control</c> says.</summary>
    public TimeSpan MinCacheLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest time a fetched document is kept, whatever its <c>Cache-Control</c> says.</summary>
    public TimeSpan MaxCacheLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Documents not in the cache that one client address may have fetched per minute (the rest are refused until the
    /// minute ends): each is an outbound request and a stored client, and asking costs an anonymous caller nothing.
    /// </summary>
    [Range(1, 10_000)]
    public int FetchesPerMinutePerAddress { get; set; } = 10;

    /// <summary>Fetches running at once, for all callers together (a further one is refused, not queued).</summary>
    [Range(1, 1_000)]
    public int MaxConcurrentFetches { get; set; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{SectionName}:Timeout must be between 00:00:00.1 and 00:01:00 (it is {Timeout}).", [nameof(Timeout)]);
        }

        if (MinCacheLifetime < TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:MinCacheLifetime must not be negative (it is {MinCacheLifetime}).", [nameof(MinCacheLifetime)]);
        }

        if (MaxCacheLifetime < MinCacheLifetime)
        {
            yield return new ValidationResult($"{SectionName}:MaxCacheLifetime ({MaxCacheLifetime}) must not be shorter than MinCacheLifetime ({MinCacheLifetime}).", [nameof(MaxCacheLifetime)]);
        }
    }
}
