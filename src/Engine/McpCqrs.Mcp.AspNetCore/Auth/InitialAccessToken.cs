using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// RFC 7591 §3: registration protected by an initial access token (<c>Auth:RegistrationAccessToken</c>), sent as an
/// RFC 6750 bearer token. Written here because OpenIddict has no registration endpoint.
/// </summary>
internal static class InitialAccessToken
{
    /// <summary>
    /// Null when the request carries <paramref name="expected"/>; else the 401 <c>invalid_token</c> to answer. The
    /// comparison (of SHA-256 digests) takes the same time whatever the token.
    /// </summary>
    public static IResult? Refusal(HttpContext http, string expected)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (given is { Length: > 0 }
            && SecretComparison.Matches(given, expected))
        {
            return null;
        }

        var description = given is null
            ? "Registration needs the initial access token of this server: Authorization: Bearer <token>."
            : "The initial access token is not the one this server accepts for registration.";
        http.Response.Headers.WWWAuthenticate = $"Bearer error=\"{Errors.InvalidToken}\", error_description=\"{description}\"";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(
            new Dictionary<string, string> { ["error"] = Errors.InvalidToken, ["error_description"] = description },
            statusCode: StatusCodes.Status401Unauthorized);
    }
}
