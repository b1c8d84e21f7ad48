using System.Text;
using McpCqrs.Application.Common.Security;
using McpCqrs.Web.Mcp;
using Microsoft.Extensions.Options;

namespace McpCqrs.Web.Auth;

/// <summary>
/// This server as an OAuth protected resource: its canonical URL, its RFC 9728 metadata document, and the
/// <c>WWW-Authenticate: Bearer</c> challenges of 401 and 403 answers (RFC 6750 §3, MCP authorization "Protected
/// Resource Metadata Discovery" and "Scope Challenge Handling").
/// </summary>
public sealed class ProtectedResource(IOptions<AuthOptions> auth, IOptions<McpTransportOptions> transport, SupportedScopes scopes)
{
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

    /// <summary>The authorization server: <c>Auth:Authority</c>, else this host (the embedded server's issuer).</summary>
    public string IssuerOf(HttpContext http) => auth.Value.Authority?.AbsoluteUri ?? $"{Origin(http)}{http.Request.PathBase}/";

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
