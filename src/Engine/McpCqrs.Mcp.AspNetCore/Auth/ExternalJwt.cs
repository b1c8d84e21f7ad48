using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>The <see cref="AuthBackend.External"/> back-end with <see cref="TokenValidationMode.Jwks"/>: JWT access tokens checked with the issuer's published keys.</summary>
public static class ExternalJwt
{
    /// <summary>The scheme of <see cref="AuthBackend.External"/> tokens checked with the issuer's keys.</summary>
    public const string Scheme = "ExternalJwt";

    /// <summary>The <c>typ</c> header values of access tokens as identity providers issue them (RFC 9068 and plain JWT); none is accepted too.</summary>
    private static readonly string[] AccessTokenTypes = ["JWT", "at+jwt", "application/at+jwt"];

    /// <summary>
    /// A token signed with a key the issuer has just rotated in must be accepted on its first request: the refresh its
    /// unknown kid asks for (rate-limited by <c>Auth:KeyRefreshInterval</c>) is then awaited and the token checked again
    /// with the new keys, instead of the keys being fetched in the background for later requests. IdentityModel reads
    /// this process-wide switch once, at its first fetch of any discovery document: it is set before any host starts.
    /// </summary>
    internal static void FetchKeysBeforeValidating() => AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);

    internal static IServiceCollection AddExternalJwt(this IServiceCollection services, AuthOptions options, Uri resourceUrl)
    {
        services.AddAuthentication(o => o.DefaultScheme = Scheme)
            .AddJwtBearer(Scheme, jwt => Configure(jwt, options, resourceUrl));

        // A key the issuer has taken out of its JWKS signs nothing more here: no falling back to the last known good
        // keys (a failed fetch still keeps the current ones). After JwtBearer has made its configuration manager.
        services.PostConfigure<JwtBearerOptions>(Scheme, jwt =>
        {
            if (jwt.ConfigurationManager is BaseConfigurationManager manager)
            {
                manager.UseLastKnownGoodConfiguration = false;
            }
        });
        return services;
    }

    /// <summary>
    /// JWT access tokens of an external authorization server (Entra ID, Keycloak, Auth0, Okta, another OpenIddict, …):
    /// the issuer and keys from its discovery document (<c>{Authority}/.well-known/openid-configuration</c>, then its
    /// JWKS), an unknown key id fetching them again (no sooner than <see cref="AuthOptions.KeyRefreshInterval"/> after
    /// the last fetch), the audience <c>Mcp:ResourceUrl</c> (and <c>Auth:Audiences</c>), <c>typ</c> JWT, at+jwt or none,
    /// claims left as the token names them (the claim mapping reads them).
    /// </summary>
    private static void Configure(JwtBearerOptions jwt, AuthOptions options, Uri resourceUrl)
    {
        var authority = options.Authority!;
        jwt.Authority = authority.AbsoluteUri;
        jwt.RequireHttpsMetadata = !authority.IsLoopback; // plain http only for an issuer on this machine
        jwt.MapInboundClaims = false;
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.RefreshInterval = options.KeyRefreshInterval;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = options.Issuer?.AbsoluteUri, // unset: the discovery document's issuer
            ValidateAudience = true,
            ValidAudiences = [resourceUrl.AbsoluteUri, .. options.Audiences],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            NameClaimType = options.Claims.Name,
            RoleClaimType = options.Claims.RoleClaims[0],
            TypeValidator = (type, _, _) => string.IsNullOrEmpty(type) || AccessTokenTypes.Contains(type, StringComparer.OrdinalIgnoreCase)
                ? type ?? string.Empty
                : throw new SecurityTokenInvalidTypeException($"The token type '{type}' is not an access token's.") { InvalidType = type },
        };
    }
}
