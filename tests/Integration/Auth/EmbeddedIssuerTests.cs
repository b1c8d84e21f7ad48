using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// The embedded server has one issuer whatever host name a client uses (<c>Auth:Issuer</c>, else derived from
/// <c>Mcp:ResourceUrl</c>), and a refused token's 401 says what was wrong with it.
/// </summary>
public sealed class EmbeddedIssuerTests
{
    private static readonly RSA SigningKey = RSA.Create(2048);

    private static async Task<TestHost> StartAsync(int port, IDictionary<string, string?>? more = null)
    {
        var settings = AuthHost.Settings(port, more);
        settings["Auth:SigningKey"] = SigningKey.ExportPkcs8PrivateKeyPem();
        return await TestHost.StartOnSqliteAsync(more: settings, port: port);
    }

    private static async Task<HttpStatusCode> InitializeAsync(HttpClient client) =>
        (await new RawMcp(client).PostAsync(RawMcp.Initialize("2025-11-25"))).StatusCode;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_token_got_through_localhost_is_accepted_through_127_0_0_1(bool configured)
    {
        var port = TestHost.FreePort();
        var localhost = new Uri($"http://localhost:{port}/");
        var expected = configured ? localhost.AbsoluteUri : $"http://127.0.0.1:{port}/"; // Auth:Issuer, else Mcp:ResourceUrl's origin
        await using var host = await StartAsync(port, configured ? new Dictionary<string, string?> { ["Auth:Issuer"] = localhost.AbsoluteUri } : null);
        using var viaLocalhost = new HttpClient { BaseAddress = localhost };

        // Every document names the one issuer, whichever host name it was fetched through.
        foreach (var client in new[] { viaLocalhost, host.Client })
        {
            Assert.Equal(expected, (await client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server")).GetProperty("issuer").GetString());
            Assert.Equal(expected, (await client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/mcp")).GetProperty("authorization_servers")[0].GetString());
        }

        var token = (await OAuth.TokenAsync(viaLocalhost,
        [
            new("grant_type", "client_credentials"),
            new("client_id", AuthHost.ReaderId),
            new("client_secret", AuthHost.ReaderSecret),
            new("scope", "tickets:read"),
            new("resource", AuthHost.ResourceOf(host)),
        ]))["access_token"]!.GetValue<string>();
        Assert.Equal(expected, new JsonWebToken(token).Issuer);

        using var at127 = OAuth.BearerClient(host, token);
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(at127));
        using var atLocalhost = new HttpClient { BaseAddress = localhost };
        atLocalhost.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(atLocalhost));
    }

    /// <summary>A token as the server issues them, with one thing changed.</summary>
    private static string Mint(TestHost host, DateTime? expires = null, string? audience = null, string? issuer = null, RSA? key = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? host.Address.AbsoluteUri,
            Audience = audience ?? AuthHost.ResourceOf(host),
            IssuedAt = expiry.AddHours(-1),
            NotBefore = expiry.AddHours(-1),
            Expires = expiry,
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new Claim("sub", "writer"), new Claim("client_id", "writer"), new Claim("scope", "tickets:read")]),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SigningKey), SecurityAlgorithms.RsaSha256),
        });
    }

    [Fact]
    public async Task A_refused_token_gets_401_invalid_token_saying_whether_expiry_audience_issuer_or_signature_was_wrong()
    {
        var port = TestHost.FreePort();
        await using var host = await StartAsync(port);
        var resource = AuthHost.ResourceOf(host);
        using (var good = OAuth.BearerClient(host, Mint(host)))
        {
            Assert.Equal(HttpStatusCode.OK, await InitializeAsync(good));
        }

        (string Token, string Described)[] cases =
        [
            (Mint(host, expires: DateTime.UtcNow.AddMinutes(-10)), "expired"),
            (Mint(host, audience: "https://elsewhere.example/mcp"), $"audience (aud) must include {resource}"),
            (Mint(host, issuer: $"http://localhost:{port}/"), $"trusts ({host.Address.AbsoluteUri})"),
            (Mint(host, key: RSA.Create(2048)), "signature"),
        ];
        foreach (var (token, described) in cases)
        {
            using var client = OAuth.BearerClient(host, token);
            var response = await new RawMcp(client).PostAsync(RawMcp.Initialize("2025-11-25"));

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var challenge = OAuth.Challenge(response);
            Assert.Equal("invalid_token", challenge["error"]);
            Assert.Contains(described, challenge["error_description"], StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[1], challenge["error_description"], StringComparison.Ordinal);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(challenge["error_description"], body.GetProperty("error_description").GetString());
        }
    }
}
