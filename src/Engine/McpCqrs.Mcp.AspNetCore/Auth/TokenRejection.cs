using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Validation.AspNetCore;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>What was wrong with a refused access token, as far as a client may be told.</summary>
public enum TokenProblem
{
    /// <summary>Unreadable, revoked, or refused for a reason not named below.</summary>
    Invalid,

    Expired,

    NotYetValid,

    Issuer,

    Audience,

    Signature,

    Type,

    /// <summary>Not expired, but revoked or otherwise no longer valid in the authorization server's token store.</summary>
    Revoked,
}

/// <summary>
/// Turns a failed authentication into a <see cref="TokenProblem"/> and the <c>error_description</c> of the 401: what
/// was wrong (issuer, audience, expiry, signature), naming only what this resource publishes anyway (its resource URL
/// and its issuer) and never the token, its claims or key material.
/// </summary>
public static class TokenRejection
{
    /// <summary>The problem of a failed result from JwtBearer (its exception) or OpenIddict validation (its error URI).</summary>
    public static TokenProblem ProblemOf(AuthenticateResult result)
    {
        if (result.Failure is { } failure && Classify(failure) is { } problem)
        {
            return problem;
        }

        // OpenIddict puts the reason's identifier in the error URI (…/errors/ID2019).
        var uri = result.Properties?.Items.TryGetValue(OpenIddictValidationAspNetCoreConstants.Properties.ErrorUri, out var value) == true ? value : null;
        return uri?[(uri.LastIndexOf('/') + 1)..] switch
        {
            "ID2019" => TokenProblem.Expired,
            "ID2088" => TokenProblem.Issuer,
            "ID2089" => TokenProblem.Type,
            "ID2090" or "ID2091" => TokenProblem.Signature,
            "ID2093" or "ID2094" => TokenProblem.Audience,
            _ => TokenProblem.Invalid,
        };
    }

    private static TokenProblem? Classify(Exception failure) => failure switch
    {
        AggregateException { InnerExceptions.Count: > 0 } many => Classify(many.InnerExceptions[0]),
        SecurityTokenExpiredException => TokenProblem.Expired,
        SecurityTokenNotYetValidException => TokenProblem.NotYetValid,
        SecurityTokenInvalidIssuerException => TokenProblem.Issuer,
        SecurityTokenInvalidAudienceException => TokenProblem.Audience,
        SecurityTokenInvalidSignatureException => TokenProblem.Signature, // includes an unknown key id
        SecurityTokenInvalidTypeException => TokenProblem.Type,
        _ => null,
    };

    /// <summary>The 401's <c>error_description</c>.</summary>
    public static string Describe(TokenProblem problem, string resource, string issuer) => problem switch
    {
        TokenProblem.Expired => "The access token has expired: get a new one.",
        TokenProblem.NotYetValid => "The access token is not valid yet (its nbf is in the future).",
        TokenProblem.Issuer => $"The access token was not issued by the authorization server this resource trusts ({issuer}).",
        TokenProblem.Audience => $"The access token is not for this resource: its audience (aud) must include {resource}.",
        TokenProblem.Signature => "The access token's signature does not verify with the authorization server's keys.",
        TokenProblem.Type => "The token is not an access token.",
        TokenProblem.Revoked => "The access token has been revoked or is no longer valid: get a new one.",
        _ => "The access token is malformed, revoked or otherwise invalid.",
    };
}
