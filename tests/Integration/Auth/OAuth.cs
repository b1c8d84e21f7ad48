using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>The sample clients and users of the auth tests, and a host that is its own authorization server.</summary>
internal static class AuthHost
{
    public const string ReaderId = "reader";
    public const string ReaderSecret = "reader-secret-0123456789";
    public const string WriterId = "writer";
    public const string WriterSecret = "writer-secret-0123456789";
    public const string PublicClientId = "desk-cli";
    public const string RedirectUri = "http://127.0.0.1:3000/callback";
    public const string OtherResource = "https://reports.example/api";

    /// <summary>The embedded OpenIddict server, with <c>Mcp:ResourceUrl</c> at the host's own port.</summary>
    public static Dictionary<string, string?> Settings(int port, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Backend"] = "OpenIddict",
            ["Auth:DynamicClientRegistration"] = "true", // off by default outside Development; the registration tests need it
            ["Mcp:ResourceUrl"] = $"http://127.0.0.1:{port}/mcp",
            ["Auth:Resources:0"] = OtherResource,
            ["Auth:Clients:0:ClientId"] = ReaderId,
            ["Auth:Clients:0:ClientSecret"] = ReaderSecret,
            ["Auth:Clients:0:Scopes:0"] = "tickets:read",
            ["Auth:Clients:0:Scopes:1"] = "customers:read",
            ["Auth:Clients:1:ClientId"] = WriterId,
            ["Auth:Clients:1:ClientSecret"] = WriterSecret,
            ["Auth:Clients:2:ClientId"] = PublicClientId,
            ["Auth:Clients:2:DisplayName"] = "Support desk CLI",
            ["Auth:Clients:2:RedirectUris:0"] = RedirectUri,
            ["Auth:Users:0:UserName"] = "alice",
            ["Auth:Users:0:Password"] = "alice-password",
            ["Auth:Users:0:DisplayName"] = "Alice Agent",
            ["Auth:Users:0:Roles:0"] = "agent",
            ["Auth:Users:1:UserName"] = "victor",
            ["Auth:Users:1:Password"] = "victor-password",
            ["Auth:Users:1:Scopes:0"] = "tickets:read",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<TestHost> StartOnPostgresAsync(string database, IDictionary<string, string?>? more = null)
    {
        var port = TestHost.FreePort();
        return await TestHost.StartOnPostgresAsync(database, seed: true, more: Settings(port, more), port: port);
    }

    public static string ResourceOf(TestHost host) => new Uri(host.Address, "/mcp").AbsoluteUri;
}

/// <summary>An OAuth client driven over raw HTTP, as an MCP client would.</summary>
internal static partial class OAuth
{
    public static async Task<JsonObject> TokenAsync(HttpClient http, IEnumerable<KeyValuePair<string, string>> form)
    {
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<string> ClientCredentialsAsync(TestHost host, string clientId, string secret, string scope, string? resource = null)
    {
        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", secret),
            new("scope", scope),
        ];
        if (resource is not null)
        {
            form.Add(new("resource", resource));
        }

        return (await TokenAsync(host.Client, form))["access_token"]!.GetValue<string>();
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A client that does not follow redirects, to read the authorization response's Location.</summary>
    public static HttpClient NoRedirects(TestHost host) => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };

    /// <summary>The sign-in form's fields (the authorization request's hidden parameters), from its HTML.</summary>
    public static List<KeyValuePair<string, string>> FormFields(string html) =>
    [
        .. HiddenField().Matches(html).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value))),
    ];

    /// <summary>The path and query of an authorization request (code flow, PKCE S256) to the sample redirect URI.</summary>
    public static string AuthorizeUrl(string clientId, string challenge, string state, string? scope = null, string? resource = null)
    {
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = AuthHost.RedirectUri,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        if (scope is not null)
        {
            query["scope"] = scope;
        }

        if (resource is not null)
        {
            query["resource"] = resource;
        }

        return "/connect/authorize?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>
    /// The authorization code flow with PKCE, driven over HTTP: GET the authorization endpoint, post the sign-in
    /// form with the user's credentials, read the code from the redirect, redeem it. Returns the token response.
    /// </summary>
    public static async Task<JsonObject> AuthorizationCodeAsync(TestHost host, string clientId, string user, string password, string scope, string? resource)
    {
        using var browser = NoRedirects(host);
        var (verifier, challenge) = Pkce();
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var page = await browser.GetAsync(AuthorizeUrl(clientId, challenge, state, scope, resource));
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"authorization endpoint answered {(int)page.StatusCode}: {html}");

        List<KeyValuePair<string, string>> form = [.. FormFields(html), new("username", user), new("password", password), new("allow", "1")];
        var signedIn = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        var location = signedIn.Headers.Location!;
        Assert.StartsWith(AuthHost.RedirectUri, location.AbsoluteUri, StringComparison.Ordinal);
        var parameters = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal(state, parameters["state"]);
        Assert.Equal(host.Address.AbsoluteUri, parameters["iss"]); // RFC 9207

        List<KeyValuePair<string, string>> redeem =
        [
            new("grant_type", "authorization_code"),
            new("client_id", clientId),
            new("code", parameters["code"]!),
            new("redirect_uri", AuthHost.RedirectUri),
            new("code_verifier", verifier),
        ];
        if (resource is not null)
        {
            redeem.Add(new("resource", resource));
        }

        return await TokenAsync(host.Client, redeem);
    }

    /// <summary>A client of <paramref name="host"/> that sends <paramref name="token"/> as its bearer token.</summary>
    public static HttpClient BearerClient(TestHost host, string token)
    {
        var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The parameters of a <c>WWW-Authenticate: Bearer</c> challenge.</summary>
    public static Dictionary<string, string> Challenge(HttpResponseMessage response)
    {
        var header = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", header.Scheme);
        return ChallengeParameter().Matches(header.Parameter ?? string.Empty).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();

    [GeneratedRegex("(?<key>[a-z_]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex ChallengeParameter();
}
