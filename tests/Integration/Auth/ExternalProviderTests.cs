using System.Net;
using System.Text.Json;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// The External back-end in front of a standard identity provider (a stand-in that issues Entra-, Keycloak- and
/// Auth0-shaped tokens from its own JWKS): tokens are accepted whatever their <c>typ</c>, scopes and roles are read
/// where each provider puts them, keys rotate by <c>kid</c>, and a refused token's 401 says why.
/// </summary>
public sealed class ExternalProviderTests
{
    private static async Task<(StandInProvider Provider, TestHost Host, string Resource)> StartAsync(string issuerPath, IDictionary<string, string?>? more = null)
    {
        var provider = await StandInProvider.StartAsync(issuerPath);
        var port = TestHost.FreePort();
        var resource = $"http://127.0.0.1:{port}/mcp";
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Backend"] = "External",
            ["Auth:Authority"] = provider.Issuer,
            ["Mcp:ResourceUrl"] = resource,
            // A role-gated binding: list_tickets needs the tickets:read scope (its attribute) and the agent role.
            ["Authorization:Bindings:list_tickets:Roles:0"] = "agent",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return (provider, await TestHost.StartOnSqliteAsync(more: settings, port: port), resource);
    }

    private static string ListTickets => JsonSerializer.Serialize(new
    {
        jsonrpc = "2.0",
        id = 2,
        method = "tools/call",
        @params = new { name = "list_tickets", arguments = new { } },
    });

    /// <summary>Initializes a session with the token and calls list_tickets; the call's response.</summary>
    private static async Task<HttpResponseMessage> ListTicketsAsync(TestHost host, string token)
    {
        var mcp = new RawMcp(OAuth.BearerClient(host, token));
        var initialized = await mcp.PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.True(initialized.StatusCode == HttpStatusCode.OK, $"initialize answered {(int)initialized.StatusCode}: {initialized.Headers.WwwAuthenticate}");
        mcp.SessionId = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        (await mcp.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")).EnsureSuccessStatusCode();
        return await mcp.PostAsync(ListTickets);
    }

    private static async Task AssertListsTicketsAsync(TestHost host, string token)
    {
        var response = await ListTicketsAsync(host, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"list_tickets answered {(int)response.StatusCode}: {body}");
        Assert.NotEqual(true, (await RawMcp.JsonAsync(response))["result"]!["isError"]?.GetValue<bool>());
    }

    private static async Task<Dictionary<string, string>> AssertRefusedAsync(TestHost host, string token, string described)
    {
        var response = await new RawMcp(OAuth.BearerClient(host, token)).PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = OAuth.Challenge(response);
        Assert.Equal("invalid_token", challenge["error"]);
        Assert.EndsWith("/.well-known/oauth-protected-resource/mcp", challenge["resource_metadata"], StringComparison.Ordinal);
        Assert.Contains(described, challenge["error_description"], StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], challenge["error_description"], StringComparison.Ordinal);
        return challenge;
    }

    /// <summary>An Entra ID v2.0 access token: <c>typ</c> JWT, scopes in <c>scp</c> (space-separated), roles in <c>roles</c>.</summary>
    private static Dictionary<string, object> Entra(string resource, string scp, params string[] roles) => new()
    {
        ["aud"] = resource,
        ["sub"] = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        ["oid"] = "00000000-0000-0000-66f3-3332eca7ea81",
        ["tid"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
        ["azp"] = "6e74172b-be56-4843-9ff4-e66a39bb12e3",
        ["name"] = "Alice Agent",
        ["scp"] = scp,
        ["roles"] = roles,
        ["ver"] = "2.0",
    };

    [Fact]
    public async Task An_Entra_shaped_token_with_typ_JWT_is_accepted_and_its_scp_and_roles_open_a_role_gated_tool()
    {
        var (provider, host, resource) = await StartAsync("/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0");
        await using var _ = provider;
        await using var __ = host;

        await AssertListsTicketsAsync(host, provider.Issue("JWT", Entra(resource, "tickets:read", "agent")));

        // Without the role the same scopes are not enough; without the scope the role is not enough.
        var noRole = await ListTicketsAsync(host, provider.Issue("JWT", Entra(resource, "tickets:read")));
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Contains("agent", (await RawMcp.JsonAsync(noRole))["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var noScope = await ListTicketsAsync(host, provider.Issue("JWT", Entra(resource, "customers:read", "agent")));
        Assert.Equal(HttpStatusCode.Forbidden, noScope.StatusCode);
        Assert.Equal("tickets:read", OAuth.Challenge(noScope)["scope"]);

        // The REST endpoint of the same query reads the same scopes and roles.
        using var rest = OAuth.BearerClient(host, provider.Issue("JWT", Entra(resource, "customers:read tickets:read", "agent")));
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync("/api/tickets")).StatusCode);
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt")]
    [InlineData(null)]
    public async Task A_token_is_accepted_with_typ_JWT_at_jwt_or_none_and_scp_may_be_an_array(string? type)
    {
        var (provider, host, resource) = await StartAsync("/tenant/v2.0");
        await using var _ = provider;
        await using var __ = host;
        var claims = Entra(resource, "ignored", "agent");
        claims["scp"] = new[] { "tickets:read" };

        await AssertListsTicketsAsync(host, provider.Issue(type, claims));
    }

    [Fact]
    public async Task A_token_whose_typ_is_not_an_access_tokens_is_refused()
    {
        var (provider, host, resource) = await StartAsync("/tenant/v2.0");
        await using var _ = provider;
        await using var __ = host;

        await AssertRefusedAsync(host, provider.Issue("logout+jwt", Entra(resource, "tickets:read", "agent")), "not an access token");
    }

    [Fact]
    public async Task A_Keycloak_shaped_token_is_accepted_with_its_realm_roles_read_from_the_configured_path()
    {
        var (provider, host, resource) = await StartAsync("/realms/desk", new Dictionary<string, string?>
        {
            ["Auth:Claims:RolesPath"] = "realm_access.roles",
            ["Auth:Claims:Name"] = "preferred_username",
        });
        await using var _ = provider;
        await using var __ = host;
        Dictionary<string, object> Keycloak(params string[] roles) => new()
        {
            ["aud"] = new[] { resource, "account" },
            ["sub"] = "f1b2c3d4-0000-4000-8000-000000000001",
            ["typ"] = "Bearer",
            ["azp"] = "desk-cli",
            ["preferred_username"] = "alice",
            ["scope"] = "openid profile email tickets:read",
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles },
            ["resource_access"] = new Dictionary<string, object> { ["account"] = new Dictionary<string, object> { ["roles"] = new[] { "agent" } } },
        };

        await AssertListsTicketsAsync(host, provider.Issue("JWT", Keycloak("offline_access", "agent")));
        // A role elsewhere in the token (here a client role) is not a realm role.
        Assert.Equal(HttpStatusCode.Forbidden, (await ListTicketsAsync(host, provider.Issue("JWT", Keycloak("offline_access")))).StatusCode);
    }

    [Fact]
    public async Task An_Auth0_shaped_token_grants_its_permissions_as_scopes_only_when_the_permissions_claim_is_mapped()
    {
        Dictionary<string, object> Auth0(string resource) => new()
        {
            ["aud"] = new[] { resource, "https://desk.eu.auth0.com/userinfo" },
            ["sub"] = "auth0|65f0c0ffee",
            ["azp"] = "k3bJ2xQm",
            ["scope"] = "openid profile",
            ["permissions"] = new[] { "tickets:read" },
            ["https://desk.example.com/roles"] = new[] { "agent" },
        };
        var mapping = new Dictionary<string, string?>
        {
            ["Auth:Claims:Roles:0"] = "https://desk.example.com/roles",
        };

        var (provider, host, resource) = await StartAsync(string.Empty, mapping);
        await using (provider)
        await using (host)
        {
            // Auth0's permissions are not scopes unless configured so.
            var unmapped = await ListTicketsAsync(host, provider.Issue("at+jwt", Auth0(resource)));
            Assert.Equal(HttpStatusCode.Forbidden, unmapped.StatusCode);
            Assert.Equal("tickets:read", OAuth.Challenge(unmapped)["scope"]);
        }

        mapping["Auth:Claims:Scopes:0"] = "scope";
        mapping["Auth:Claims:Scopes:1"] = "permissions";
        (provider, host, resource) = await StartAsync(string.Empty, mapping);
        await using (provider)
        await using (host)
        {
            await AssertListsTicketsAsync(host, provider.Issue("at+jwt", Auth0(resource)));
        }
    }

    [Fact]
    public async Task After_the_provider_switches_keys_a_token_with_the_new_kid_is_accepted_and_one_with_the_old_is_not()
    {
        var (provider, host, resource) = await StartAsync("/realms/desk");
        await using var _ = provider;
        await using var __ = host;
        var before = provider.Issue("JWT", Entra(resource, "tickets:read", "agent"));
        await AssertListsTicketsAsync(host, before);

        var oldKid = provider.CurrentKeyId;
        provider.RotateKey();
        var after = provider.Issue("JWT", Entra(resource, "tickets:read", "agent"));
        Assert.NotEqual(oldKid, provider.CurrentKeyId);

        await AssertListsTicketsAsync(host, after);
        await AssertRefusedAsync(host, before, "signature");
    }

    [Fact]
    public async Task Unknown_key_ids_fetch_the_keys_again_at_most_once_per_refresh_interval()
    {
        var (provider, host, resource) = await StartAsync("/realms/desk", new Dictionary<string, string?> { ["Auth:KeyRefreshInterval"] = "01:00:00" });
        await using var _ = provider;
        await using var __ = host;
        await AssertListsTicketsAsync(host, provider.Issue("JWT", Entra(resource, "tickets:read", "agent")));
        var fetched = provider.JwksFetches;

        for (var i = 0; i < 3; i++)
        {
            var forged = provider.Issue("JWT", Entra(resource, "tickets:read", "agent"), key: StandInProvider.ForeignKey($"unknown-{i}"));
            await AssertRefusedAsync(host, forged, "signature");
        }

        // The first unknown kid refreshed the keys once; the others, within the interval, did not.
        Assert.Equal(fetched + 1, provider.JwksFetches);
    }

    [Fact]
    public async Task An_expired_token_a_wrong_audience_a_wrong_issuer_and_a_wrong_signature_each_get_401_saying_which()
    {
        var (provider, host, resource) = await StartAsync("/realms/desk");
        await using var _ = provider;
        await using var __ = host;
        var good = Entra(resource, "tickets:read", "agent");
        await AssertListsTicketsAsync(host, provider.Issue("JWT", good));

        await AssertRefusedAsync(host, provider.Issue("JWT", good, expires: DateTime.UtcNow.AddMinutes(-10)), "expired");

        var otherAudience = Entra("https://other.example/api", "tickets:read", "agent");
        await AssertRefusedAsync(host, provider.Issue("JWT", otherAudience), $"audience (aud) must include {resource}");

        await AssertRefusedAsync(host, provider.Issue("JWT", good, issuer: "https://evil.example/realms/desk"), $"({provider.Issuer})");

        // Same kid as the provider's current key, signed by another key.
        await AssertRefusedAsync(host, provider.Issue("JWT", good, key: StandInProvider.ForeignKey(provider.CurrentKeyId)), "signature");
    }
}
