using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp;

/// <summary>The engine's protocol settings (both eras), bound from the <c>Mcp</c> section beside the transport's own.</summary>
public sealed class McpProtocolOptions : IValidatableObject
{
    public const string SectionName = "Mcp";

    /// <summary>
    /// Base64 key (≥ 32 bytes; <c>openssl rand -base64 32</c>) sealing <c>requestState</c> in the stateless era; the
    /// same on every instance. The host requires it outside the Development environment (there, unset means a random
    /// key per process).
    /// </summary>
    public string? RequestStateKey { get; set; }

    /// <summary>How long an <c>input_required</c> state may be used to retry.</summary>
    public TimeSpan RequestStateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Cache hint (<c>ttlMs</c>) of <c>server/discover</c> and the lists in the stateless era.</summary>
    public TimeSpan ListCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a handler waits for the client's answer to a request this server sent it (<c>elicitation/create</c>,
    /// <c>sampling/createMessage</c>, <c>roots/list</c>); past it the handler gets a
    /// <see cref="Context.ClientRequestTimeoutException"/> (JSON-RPC error −32004 unless it catches it). Keep it below
    /// the call's dispatch timeout (<c>Mcp:Limits:DispatchTimeout</c>, 2 min, or the tool's own), or the dispatch
    /// timeout ends the call first and the handler never hears which request went unanswered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Mcp:ClientRequestTimeout must be greater than zero and at most one day.")]
    public TimeSpan ClientRequestTimeout { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestStateKey is { Length: > 0 } key && (!IsBase64(key, out var length) || length < 32))
        {
            yield return new ValidationResult("Mcp:RequestStateKey must be at least 32 bytes, base64-encoded.", [nameof(RequestStateKey)]);
        }
    }

    private static bool IsBase64(string text, out int length) => Convert.TryFromBase64String(text, new byte[text.Length], out length);
}
