using System.Text;
using McpCqrs.Mcp.Security;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// This server as an OAuth protected resource: its canonical URL, its RFC 9728 metadata document, and the
/// <c>WWW-Authenticate: Bearer</c> challenges of 401 and 403 answers (RFC 6750 §3, MCP authorization "Protected
/// Resource Metadata Discovery" and "Scope Challenge Handling").
/// </summary>
public sealed class ProtectedResource(IOptions<AuthOptions> auth, IOptions<McpTransportOptions> transport, SupportedScopes scopes)
{
    private readonly Uri? _issuer = auth.Value.Backend == AuthBackend.External
        ? auth.Value.Authority
        : EmbeddedIssuer(auth.Value, transport.Value.ResourceUrl);

    /// <summary>The MCP endpoint's path, the path part of the metadata URL (RFC 9728 §3.1: inserted after the well-known prefix).</summary>
    public const string McpPath = "/mcp";

    public const string MetadataPath = "/.well-known/oauth-protected-resource";

    public SupportedScopes Scopes => scopes;

    /// <summary>The resource identifier: <c>Mcp:ResourceUrl</c>, else this host's <c>/mcp</c> as the request reached it.</summary>
    public string ResourceOf(HttpContext http) =>
        transport.Value.ResourceUrl?.AbsoluteUri ?? $"{Origin(http)}{http.Request.PathBase}{McpPath}";

    /// <summary>Where the metadata of <see cref="ResourceOf"/> is served (the path-suffixed form).</summary>
    public string MetadataUrlOf(HttpContext http)
    {
        if (transport.Value.ResourceUrl is { } resource)
        {
            return $"{resource.GetLeftPart(UriPartial.Authority)}{MetadataPath}{resource.AbsolutePath.TrimEnd('/')}";
        }

        return $"{Origin(http)}{MetadataPath}{http.Request.PathBase}{McpPath}";
    }

    /// <summary>
    /// The authorization server: for an external one <c>Auth:Authority</c>; for the embedded one its issuer
    /// (<see cref="EmbeddedIssuer"/>), else this host as the request reached it.
    /// </summary>
    public string IssuerOf(HttpContext http) => _issuer?.AbsoluteUri ?? $"{Origin(http)}{http.Request.PathBase}/";

    /// <summary>The authentication scheme that checks this back-end's tokens.</summary>
    public string Scheme { get; } = auth.Value is { Backend: AuthBackend.External, Validation: TokenValidationMode.Jwks }
        ? ExternalJwt.Scheme
        : OpenIddict.Validation.AspNetCore.OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;

    /// <summary>
    /// The embedded server's one issuer, whatever host name a client uses: <c>Auth:Issuer</c>; else <c>Auth:Authority</c>;
    /// else <c>Mcp:ResourceUrl</c>'s origin and the path before its <c>/mcp</c> (<c>https://api.example.com/mcp</c> →
    /// <c>https://api.example.com/</c>); else none: each request's host is the issuer (development only).
    /// </summary>
    public static Uri? EmbeddedIssuer(AuthOptions options, Uri? resourceUrl)
    {
        if ((options.Issuer ?? options.Authority) is { } configured)
        {
            return configured;
        }

        if (resourceUrl is null)
        {
            return null;
        }

        var path = resourceUrl.AbsolutePath.TrimEnd('/');
        var basePath = path.EndsWith(McpPath, StringComparison.Ordinal) ? path[..^McpPath.Length] : string.Empty;
        return new Uri($"{resourceUrl.GetLeftPart(UriPartial.Authority)}{basePath}/");
    }

    /// <summary>The RFC 9728 document.</summary>
    public Dictionary<string, object> MetadataOf(HttpContext http)
    {
        var metadata = new Dictionary<string, object>
        {
            ["resource"] = ResourceOf(http),
            ["authorization_servers"] = new[] { IssuerOf(http) },
            ["scopes_supported"] = scopes.All,
            ["bearer_methods_supported"] = new[] { "header" },
            ["resource_name"] = "McpCqrs",
        };
        if (auth.Value.ResourceDocumentation is { } documentation)
        {
            metadata["resource_documentation"] = documentation.AbsoluteUri;
        }

        return metadata;
    }

    /// <summary>
    /// A <c>Bearer</c> challenge: <c>error</c> (omitted when the request carried no credentials, RFC 6750 §3.1),
    /// <c>error_description</c>, <c>scope</c> and <c>resource_metadata</c>.
    /// </summary>
    public string Challenge(HttpContext http, string? error, string? description, IEnumerable<string> scope)
    {
        var header = new StringBuilder("Bearer ");
        if (error is not null)
        {
            header.Append("error=\"").Append(error).Append("\", ");
        }

        if (description is not null)
        {
            header.Append("error_description=\"").Append(HeaderSafe(description)).Append("\", ");
        }

        var scopeValue = string.Join(' ', scope);
        if (scopeValue.Length > 0)
        {
            header.Append("scope=\"").Append(scopeValue).Append("\", ");
        }

        header.Append("resource_metadata=\"").Append(MetadataUrlOf(http)).Append('"');
        return header.ToString();
    }

    /// <summary>401 with its challenge and an OAuth error body.</summary>
    public Task WriteUnauthorizedAsync(HttpContext http, string? error, string description)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = Challenge(http, error, error is null ? null : description, scopes.Challenge);
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsJsonAsync(new Dictionary<string, string>
        {
            ["error"] = error ?? "invalid_token",
            ["error_description"] = description,
        });
    }

    /// <summary>
    /// The challenge of a 403 when the token lacks a scope: <c>insufficient_scope</c> with the binding's scopes, to
    /// step up to. A refusal by a role, policy or custom permission gets none: asking for more scopes would not help.
    /// </summary>
    public void ChallengeForbidden(HttpContext http, ForbiddenAccessException forbidden)
    {
        if (forbidden.ScopeMissing && !http.Response.HasStarted)
        {
            http.Response.Headers.WWWAuthenticate = Challenge(http, "insufficient_scope", forbidden.Reason, forbidden.RequiredScopes);
        }
    }

    /// <summary>RFC 6750 §3: error_description is printable ASCII without '"' and '\\'; anything else becomes '?'.</summary>
    private static string HeaderSafe(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '?';
            }
        });

    private static string Origin(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";
}

/// <summary>
/// The scopes this server knows: every scope a binding requires (attributes and <c>Authorization:Bindings</c>), plus
/// <c>Auth:Scopes</c>. <see cref="Challenge"/> is what a 401 asks for: the binding scopes.
/// </summary>
public sealed class SupportedScopes(IReadOnlyList<string> bindingScopes, IReadOnlyList<string> extra)
{
    public const string OpenId = "openid";

    public const string OfflineAccess = "offline_access";

    /// <summary>What <c>scopes_supported</c> lists.</summary>
    public IReadOnlyList<string> All { get; } = [.. bindingScopes.Concat(extra).Append(OpenId).Append(OfflineAccess).Distinct(StringComparer.Ordinal)];

    /// <summary>The scopes a 401 challenge names: those the bindings use.</summary>
    public IReadOnlyList<string> Challenge { get; } = bindingScopes;
}
