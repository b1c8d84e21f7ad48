using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// Bound from <c>Auth:Limits</c>: how many token requests the embedded authorization server takes per minute, per
/// client id and per client address (<see cref="McpCqrs.Mcp.RateLimiting.ClientAddress"/>); the rest get 429.
/// Counted in each instance's memory.
/// </summary>
public sealed class AuthLimitsOptions : IValidatableObject
{
    public const string SectionName = "Auth:Limits";

    private const int Most = 1_000_000;

    /// <summary>
    /// Token requests naming one client id (the form's <c>client_id</c> or the Basic user name), from any address:
    /// every grant, so a client's secret cannot be guessed faster than this however many addresses try.
    /// </summary>
    public int TokenRequestsPerMinutePerClient { get; set; } = 60;

    /// <summary>
    /// Token requests naming one client id whose client authentication failed (<c>invalid_client</c>); once they are
    /// used up, the client's token requests are refused until the minute ends, so a secret is guessed at most this
    /// often while a client that authenticates keeps <see cref="TokenRequestsPerMinutePerClient"/>. (Guesses sent at
    /// the same moment are checked before any of them has failed, so a burst may pass this by a few; it never passes
    /// <see cref="TokenRequestsPerMinutePerClient"/>.)
    /// </summary>
    public int FailedClientAuthenticationsPerMinutePerClient { get; set; } = 10;

    /// <summary>Token requests from one client address, whatever client they name, so one address cannot crowd out the rest.</summary>
    public int TokenRequestsPerMinutePerAddress { get; set; } = 120;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[]
        {
            (nameof(TokenRequestsPerMinutePerClient), TokenRequestsPerMinutePerClient),
            (nameof(FailedClientAuthenticationsPerMinutePerClient), FailedClientAuthenticationsPerMinutePerClient),
            (nameof(TokenRequestsPerMinutePerAddress), TokenRequestsPerMinutePerAddress),
        })
        {
            if (value is < 1 or > Most)
            {
                yield return new ValidationResult(
                    string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{name} must be between 1 and {Most} (was {value})."),
                    [name]);
            }
        }
    }
}
