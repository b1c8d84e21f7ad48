using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// The embedded authorization server's own endpoints (OpenIddict validates each request before it gets here):
/// the authorization endpoint with its sign-in page, the token endpoint's grants, and RFC 7591 registration.
/// </summary>
internal static partial class AuthorizationServerEndpoints
{
    public const string Authorize = "/connect/authorize";
    public const string Token = "/connect/token";
    public const string Introspect = "/connect/introspect";
    public const string Revoke = "/connect/revoke";
    public const string Register = "/connect/register";

    /// <summary>The rate-limiter policy of the endpoints that take guesses: sign-in posts and registrations.</summary>
    public const string AttemptsPolicy = "auth-attempts";

    /// <summary>
    /// GET shows the sign-in page, which names the client and the scopes it asks for; signing in there (a POST of
    /// the same authorization request with the user's credentials) is the user's consent, every time: no cookie
    /// carries a sign-in from one authorization to the next.
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext http, IUserDirectory users, IOpenIddictApplicationManager applications)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenIddict server request is missing.");
        var client = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted);
        var clientName = client is null ? request.ClientId! : await applications.GetDisplayNameAsync(client, http.RequestAborted) ?? request.ClientId!;
        var documentHost = client is null ? null : await ClientMetadataDocuments.HostOfAsync(applications, client, http.RequestAborted);

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return LoginPage(http, request, clientName, documentHost, error: null);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (form.ContainsKey("deny"))
        {
            return Refuse(Errors.AccessDenied, "The user declined the authorization request.");
        }

        var user = await users.SignInAsync(form["username"].ToString(), form["password"].ToString(), http.RequestAborted);
        if (user is null)
        {
            return LoginPage(http, request, clientName, documentHost, "Unknown user name or wrong password.");
        }

        var identity = UserIdentity(user);
        identity.SetScopes(GrantableBy(user, request.GetScopes()));
        identity.SetResources(request.GetResources());
        return SignIn(identity);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, IUserDirectory users, IOpenIddictApplicationManager applications)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenIddict server request is missing.");
        if (request.IsClientCredentialsGrantType())
        {
            var client = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted)
                ?? throw new InvalidOperationException("OpenIddict authenticated a client it cannot find.");
            var identity = NewIdentity();
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaim(Claims.Name, await applications.GetDisplayNameAsync(client, http.RequestAborted) ?? request.ClientId);
            identity.SetScopes(request.GetScopes());
            identity.SetResources(request.GetResources());
            return SignIn(identity);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code's (or refresh token's) principal, checked by OpenIddict: its scopes and resources are kept.
            var issued = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            if (issued?.GetClaim(Claims.Subject) is not { } subject || await users.FindAsync(subject, http.RequestAborted) is not { } user)
            {
                return Refuse(Errors.InvalidGrant, "The user of this grant no longer exists.");
            }

            // A token may only narrow its grant: resources outside it are refused, and the scopes are those granted
            // that the user may still grant today.
            var granted = issued.GetResources();
            var asked = request.GetResources();
            if (asked.Any(r => !granted.Contains(r, StringComparer.Ordinal)))
            {
                return Refuse(Errors.InvalidTarget, "A token can be asked only for resources of its grant.");
            }

            var identity = UserIdentity(user);
            identity.SetScopes(GrantableBy(user, issued.GetScopes()));
            identity.SetResources(asked.Length > 0 ? asked : granted);
            return SignIn(identity);
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    /// <summary>Of <paramref name="scopes"/>, those <paramref name="user"/> may grant (all when the user has no cap; <c>openid</c> and <c>offline_access</c> always).</summary>
    private static IEnumerable<string> GrantableBy(DirectoryUser user, IEnumerable<string> scopes) =>
        scopes.Where(s => user.Scopes.Count == 0 || user.Scopes.Contains(s) || s is Scopes.OpenId or Scopes.OfflineAccess);

    private static ClaimsIdentity NewIdentity() =>
        new(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);

    private static ClaimsIdentity UserIdentity(DirectoryUser user)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id);
        identity.SetClaim(Claims.Name, user.DisplayName);
        identity.SetClaims(Claims.Role, [.. user.Roles]);
        return identity;
    }

    private static IResult SignIn(ClaimsIdentity identity)
    {
        identity.SetDestinations(claim => claim.Type is Claims.Name or Claims.Role
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>
    /// The sign-in page: the authorization request's parameters travel in hidden fields, the credentials beside them.
    /// A client described by a metadata document (<paramref name="documentHost"/>) is named with the host that
    /// publishes the document, the one part of its identity a look-alike cannot copy.
    /// </summary>
    private static IResult LoginPage(HttpContext http, OpenIddictRequest request, string clientName, string? documentHost, string? error)
    {
        // Never framed (click-jacking), never cached.
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        http.Response.Headers.CacheControl = "no-store";
        var server = http.RequestServices.GetRequiredService<McpServerInfo>();
        var serverName = WebUtility.HtmlEncode(server.Title ?? server.Name);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in — ").Append(serverName).Append("</title>")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem}.error{color:#b00020}button{margin:1rem .5rem 0 0;padding:.5rem 1rem}</style>")
            .Append("</head><body><h1>Sign in</h1>")
            .Append("<p><strong>").Append(WebUtility.HtmlEncode(documentHost is null || documentHost == clientName ? clientName : $"{clientName} ({documentHost})")).Append("</strong> asks for access to ").Append(serverName);
        var scopes = request.GetScopes();
        if (scopes.Length > 0)
        {
            html.Append(" with the scopes:</p><ul>");
            foreach (var scope in scopes)
            {
                html.Append("<li><code>").Append(WebUtility.HtmlEncode(scope)).Append("</code></li>");
            }

            html.Append("</ul>");
        }
        else
        {
            html.Append(".</p>");
        }

        if (documentHost is not null)
        {
            html.Append("<p>This client is described by <strong>").Append(WebUtility.HtmlEncode(documentHost))
                .Append("</strong>: allow it only if you meant to use an application from there.</p>");
        }

        // A self-registered client may take any name: where the code goes is what tells them apart.
        if (Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect))
        {
            html.Append("<p>After you sign in you will be sent to <strong>").Append(WebUtility.HtmlEncode(redirect.Authority.Length > 0 ? redirect.Authority : redirect.Scheme + ":")).Append("</strong>.</p>");
        }

        if (error is not null)
        {
            html.Append("<p class=\"error\" role=\"alert\">").Append(WebUtility.HtmlEncode(error)).Append("</p>");
        }

        html.Append("<form method=\"post\" action=\"").Append(WebUtility.HtmlEncode(http.Request.PathBase + Authorize)).Append("\">");
        foreach (var (name, value) in request.GetParameters())
        {
            if (name is "username" or "password" or "deny" or "allow")
            {
                continue;
            }

            foreach (var item in (Microsoft.Extensions.Primitives.StringValues)value)
            {
                html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(name)).Append("\" value=\"").Append(WebUtility.HtmlEncode(item)).Append("\">");
            }
        }

        html.Append("<label for=\"username\">User name</label><input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus>")
            .Append("<label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>")
            .Append("<button type=\"submit\" name=\"allow\" value=\"1\">Sign in and allow</button>")
            .Append("<button type=\"submit\" name=\"deny\" value=\"1\" formnovalidate>Deny</button>")
            .Append("</form></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }
}

/// <summary>
/// RFC 7591 dynamic client registration, so MCP clients can register themselves. Written here because OpenIddict
/// has no registration endpoint. Open registration creates clients for the authorization code flow with PKCE
/// (public, <c>none</c>; or confidential with a generated secret), limited to the scopes this server supports.
/// With <c>Auth:RegistrationAccessToken</c> set, only a caller that presents it as a bearer token may register.
/// </summary>
internal static class ClientRegistration
{
    public static async Task<IResult> RegisterAsync(HttpContext http, IOpenIddictApplicationManager applications, SupportedScopes supported, IOptions<AuthOptions> options)
    {
        if (options.Value.RegistrationAccessToken is { Length: > 0 } expected && InitialAccessToken.Refusal(http, expected) is { } refusal)
        {
            return refusal;
        }

        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted)).RootElement;
        }
        catch (JsonException)
        {
            return Error("invalid_client_metadata", "The body must be a JSON object of client metadata.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Error("invalid_client_metadata", "The body must be a JSON object of client metadata.");
        }

        var redirects = new List<Uri>();
        if (body.TryGetProperty("redirect_uris", out var uris) && uris.ValueKind == JsonValueKind.Array)
        {
            foreach (var uri in uris.EnumerateArray())
            {
                if (uri.ValueKind != JsonValueKind.String || !Uri.TryCreate(uri.GetString(), UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0 || !AcceptableRedirect(parsed))
                {
                    return Error("invalid_redirect_uri", $"Redirect URI '{uri}' is not acceptable: use https, http on a loopback address, or a private-use scheme, without a fragment.");
                }

                redirects.Add(parsed);
            }
        }

        if (redirects.Count == 0)
        {
            return Error("invalid_redirect_uri", "redirect_uris must list at least one redirect URI.");
        }

        var method = Text(body, "token_endpoint_auth_method") ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (method is not (ClientAuthenticationMethods.None or ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost))
        {
            return Error("invalid_client_metadata", $"token_endpoint_auth_method '{method}' is not supported: use none, client_secret_basic or client_secret_post.");
        }

        if (body.TryGetProperty("grant_types", out var grants) && grants.ValueKind == JsonValueKind.Array
            && grants.EnumerateArray().Any(g => g.ValueKind != JsonValueKind.String || g.GetString() is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken)))
        {
            return Error("invalid_client_metadata", "Registered clients may use only the authorization_code and refresh_token grants.");
        }

        var asked = Text(body, "scope")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var unknown = asked.Where(s => !supported.All.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            return Error("invalid_client_metadata", $"Unknown scope(s): {string.Join(' ', unknown)}.");
        }

        var name = Text(body, "client_name") is { Length: > 0 and <= 200 } given ? given : "MCP client";
        var definition = new ClientDefinition
        {
            ClientId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ClientSecret = method == ClientAuthenticationMethods.None ? null : Base64Url(RandomNumberGenerator.GetBytes(32)),
            DisplayName = name,
            RedirectUris = redirects,
            Scopes = [.. asked],
        };
        await applications.CreateAsync(ClientRegistrar.Describe(definition, supported, clientCredentials: false), http.RequestAborted);

        var response = new Dictionary<string, object>
        {
            ["client_id"] = definition.ClientId,
            ["client_id_issued_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["client_name"] = name,
            ["redirect_uris"] = redirects.Select(r => r.OriginalString).ToArray(),
            ["grant_types"] = new[] { GrantTypes.AuthorizationCode, GrantTypes.RefreshToken },
            ["response_types"] = new[] { ResponseTypes.Code },
            ["token_endpoint_auth_method"] = method,
            ["scope"] = string.Join(' ', asked.Length > 0 ? asked : supported.All),
        };
        if (definition.ClientSecret is { } secret)
        {
            response["client_secret"] = secret;
            response["client_secret_expires_at"] = 0;
        }

        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(response, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Whether a client may name <paramref name="uri"/> as a redirect URI (registration and metadata documents alike).</summary>
    internal static bool AcceptableRedirect(Uri uri) => uri.Scheme switch
    {
        "https" => true,
        "http" => uri.IsLoopback,
        "javascript" or "data" or "file" or "vbscript" => false,
        _ => uri.Scheme.Contains('.', StringComparison.Ordinal), // RFC 8252 §7.1: private-use schemes are reverse domain names
    };

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static IResult Error(string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: StatusCodes.Status400BadRequest);
}
