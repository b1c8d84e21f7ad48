using System.ComponentModel.DataAnnotations;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>Who may call <c>/mcp</c> and the REST API, and how tokens are checked.</summary>
public enum AuthBackend
{
    /// <summary>The host is its own OAuth 2.1 authorization server (OpenIddict) and validates its own tokens.</summary>
    OpenIddict,

    /// <summary>A pure resource server: tokens come from an external authorization server (<see cref="AuthOptions.Authority"/>).</summary>
    External,

    /// <summary>No authentication and no permission checks. Development only: refused elsewhere unless <see cref="AuthOptions.AllowAnyOutsideDevelopment"/>.</summary>
    AllowAny,
}

/// <summary>How an <see cref="AuthBackend.External"/> server's tokens are checked.</summary>
public enum TokenValidationMode
{
    /// <summary>JWTs checked locally with the keys found through the issuer's discovery document (JWKS).</summary>
    Jwks,

    /// <summary>Each token sent to the issuer's introspection endpoint (RFC 7662), for opaque or encrypted tokens.</summary>
    Introspection,
}

/// <summary>Bound from the <c>Auth</c> section.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    public AuthBackend Backend { get; set; } = AuthBackend.OpenIddict;

    /// <summary>
    /// Lets <see cref="AuthBackend.AllowAny"/> start in an environment other than Development (a benchmark or test host
    /// that no one else can reach; never a reachable one). Without it such a start fails, naming this key.
    /// </summary>
    public bool AllowAnyOutsideDevelopment { get; set; }

    /// <summary>
    /// The former name of <see cref="AllowAnyOutsideDevelopment"/>: still honoured, with a warning at start-up that
    /// names the new key.
    /// </summary>
    public bool AllowAnyInProduction { get; set; }

    /// <summary>
    /// For <see cref="AuthBackend.External"/>: the authorization server's URL, where its discovery document is found
    /// (<c>{Authority}/.well-known/openid-configuration</c>). For <see cref="AuthBackend.OpenIddict"/>: the embedded
    /// server's issuer when <see cref="Issuer"/> is not set.
    /// </summary>
    public Uri? Authority { get; set; }

    /// <summary>
    /// The issuer URL (absolute). For <see cref="AuthBackend.OpenIddict"/>: what the embedded server writes in every token and
    /// metadata document and what it accepts, whatever host name a client used to reach it; unset, it is derived from
    /// <c>Auth:Authority</c>, else from <c>Mcp:ResourceUrl</c> (its origin and any path before <c>/mcp</c>), else (neither
    /// set, development) from each request's host. For <see cref="AuthBackend.External"/>: the issuer a token must carry,
    /// when it differs from the one in the discovery document; unset, the discovery document's <c>issuer</c>.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>
    /// Audiences accepted besides <c>Mcp:ResourceUrl</c> (<see cref="AuthBackend.External"/> only), e.g. the
    /// application id some identity providers put in <c>aud</c>.
    /// </summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>
    /// <see cref="AuthBackend.External"/> with <see cref="TokenValidationMode.Jwks"/>: the least time between two fetches
    /// of the discovery document and keys that a token with an unknown key id (<c>kid</c>) may cause; the first such
    /// fetch after start is immediate. Keys are also fetched again every 12 hours.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Which claims of an access token hold the caller's id, name, scopes and roles.</summary>
    public ClaimMappingOptions Claims { get; set; } = new();

    /// <summary>How an external server's tokens are validated.</summary>
    public TokenValidationMode Validation { get; set; } = TokenValidationMode.Jwks;

    /// <summary>This resource server's client id at the external server (introspection).</summary>
    public string? ClientId { get; set; }

    /// <summary>Its secret at the external server (introspection).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// PEM (PKCS#8 or PKCS#1) RSA private key that signs tokens; the same on every instance. Unset: a key made at
    /// start-up, so tokens do not survive a restart and are not accepted by another instance (a warning says so).
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>PEM RSA private key that encrypts authorization codes and refresh tokens; the same on every instance.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Further resources (RFC 8707 indicators) the embedded server issues tokens for, e.g. a companion API that
    /// trusts it; <c>Mcp:ResourceUrl</c> is always one.
    /// </summary>
    public List<Uri> Resources { get; set; } = [];

    /// <summary>Lifetime of access tokens issued by the embedded server.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Scopes offered beyond those the bindings require (<c>openid</c>, <c>offline_access</c> and these).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Clients created (or updated) at start-up, e.g. the sample clients.</summary>
    public List<ClientDefinition> Clients { get; set; } = [];

    /// <summary>The users who may sign in on the login page (a sample user directory; replace <see cref="IUserDirectory"/> for a real one).</summary>
    public List<UserDefinition> Users { get; set; } = [];

    /// <summary>
    /// Whether MCP clients may register themselves (RFC 7591) at <c>/connect/register</c>. Unset in configuration: on in
    /// the Development environment, off elsewhere (set <c>Auth:DynamicClientRegistration=true</c> to open it, ideally
    /// with <see cref="RegistrationAccessToken"/>). After start-up this holds the effective value.
    /// </summary>
    public bool DynamicClientRegistration { get; set; }

    /// <summary>
    /// An initial access token (RFC 7591 §3): when set, <c>/connect/register</c> accepts only requests with
    /// <c>Authorization: Bearer &lt;this token&gt;</c> (compared in constant time) and answers others 401
    /// <c>invalid_token</c>. Unset: registration is open to anyone who can reach it. At least 16 characters; make
    /// one with <c>openssl rand -base64 32</c>.
    /// </summary>
    public string? RegistrationAccessToken { get; set; }

    /// <summary>
    /// <see cref="AuthBackend.OpenIddict"/>: whether each request's access token is looked up in the token store (and
    /// its authorization with it), so a token revoked at <c>/connect/revoke</c>, or whose grant was revoked, stops
    /// working at once instead of at its expiry. On by default; it costs every request to <c>/mcp</c> and <c>/api</c>
    /// database reads (the token entry and its authorization). Off: a signed access token is accepted until it
    /// expires (keep <see cref="AccessTokenLifetime"/> short then); refresh tokens are checked either way.
    /// </summary>
    public bool CheckTokenStatus { get; set; } = true;

    /// <summary>
    /// Sign-in form posts and client registrations accepted per client address per minute (the rest get 429), so
    /// passwords cannot be guessed and clients cannot be registered in bulk.
    /// </summary>
    [Range(1, 100_000)]
    public int AttemptsPerMinute { get; set; } = 20;

    /// <summary>Where the protected resource metadata says the documentation is (<c>resource_documentation</c>).</summary>
    public Uri? ResourceDocumentation { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Backend == AuthBackend.External && Authority is null)
        {
            yield return new ValidationResult("Auth:Authority (the external authorization server's issuer URL) is required when Auth:Backend is External.", [nameof(Authority)]);
        }

        if (Backend == AuthBackend.External && Validation == TokenValidationMode.Introspection && (string.IsNullOrEmpty(ClientId) || string.IsNullOrEmpty(ClientSecret)))
        {
            yield return new ValidationResult("Auth:ClientId and Auth:ClientSecret are required to introspect tokens at the external authorization server.", [nameof(ClientId)]);
        }

        if (Authority is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Auth:Authority must be an absolute URL.", [nameof(Authority)]);
        }

        if (KeyRefreshInterval < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Auth:KeyRefreshInterval must be at least one second.", [nameof(KeyRefreshInterval)]);
        }

        if (Issuer is { IsAbsoluteUri: false } or { Query.Length: > 0 } or { Fragment.Length: > 0 })
        {
            yield return new ValidationResult("Auth:Issuer must be an absolute URL without query or fragment.", [nameof(Issuer)]);
        }

        if (RegistrationAccessToken is { Length: > 0 and < 16 })
        {
            yield return new ValidationResult("Auth:RegistrationAccessToken must be at least 16 characters (make one with: openssl rand -base64 32).", [nameof(RegistrationAccessToken)]);
        }

        if (Claims.ScopeClaims.Concat(Claims.RoleClaims).Append(Claims.Subject).Append(Claims.Name).Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult("Auth:Claims: a claim name in Scopes, Roles, Subject or Name is empty.", [nameof(Claims)]);
        }
    }
}

/// <summary>A client of the embedded authorization server.</summary>
public sealed class ClientDefinition
{
    [Required]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>Set for a confidential client (client credentials); unset for a public client (authorization code + PKCE).</summary>
    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }

    public List<Uri> RedirectUris { get; set; } = [];

    /// <summary>Scopes the client may ask for.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>A user of the sample directory.</summary>
public sealed class UserDefinition
{
    [Required]
    public string UserName { get; set; } = string.Empty;

    [Required]
    public string Password { get; set; } = string.Empty;

    public string? DisplayName { get; set; }

    public List<string> Roles { get; set; } = [];

    /// <summary>The scopes this user may grant to a client; empty: any scope the client may ask for.</summary>
    public List<string> Scopes { get; set; } = [];
}
