using System.Security.Claims;
using McpCqrs.Mcp.AspNetCore.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Unit.Auth;

/// <summary>Scopes, roles, id and name read from the claims of real token payloads, as identity providers shape them.</summary>
public sealed class ClaimMapperTests
{
    /// <summary>The claims of a token with this payload, as IdentityModel reads them (arrays one claim per element, objects as JSON).</summary>
    private static ClaimsPrincipal Principal(Dictionary<string, object> payload)
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Claims = payload });
        return new ClaimsPrincipal(new ClaimsIdentity(new JsonWebToken(token).Claims, "Bearer"));
    }

    private static ClaimMapper Mapper(Action<ClaimMappingOptions>? configure = null)
    {
        var options = new ClaimMappingOptions();
        configure?.Invoke(options);
        return new ClaimMapper(options);
    }

    [Fact]
    public void Scopes_come_from_a_space_separated_scope_or_scp_string_and_from_an_scp_array()
    {
        Assert.Equal(["a", "b"], Mapper().ScopesOf(Principal(new() { ["scope"] = "a  b" })).Order());
        Assert.Equal(["tickets:read", "tickets:write"], Mapper().ScopesOf(Principal(new() { ["scp"] = "tickets:read tickets:write" })).Order());
        Assert.Equal(["x", "y"], Mapper().ScopesOf(Principal(new() { ["scp"] = new[] { "x", "y" } })).Order());
    }

    [Fact]
    public void Permissions_are_scopes_only_when_their_claim_is_configured_and_a_configured_list_replaces_the_default()
    {
        var payload = new Dictionary<string, object> { ["scope"] = "openid", ["scp"] = "from-scp", ["permissions"] = new[] { "tickets:read" } };

        Assert.DoesNotContain("tickets:read", Mapper().ScopesOf(Principal(payload)));
        Assert.Equal(["openid", "tickets:read"], Mapper(o => o.Scopes = ["scope", "permissions"]).ScopesOf(Principal(payload)).Order());
    }

    [Fact]
    public void Roles_come_from_roles_and_role_claims_and_from_a_configured_path_into_a_json_claim()
    {
        var keycloak = new Dictionary<string, object>
        {
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = new[] { "agent", "offline_access" } },
            ["resource_access"] = new Dictionary<string, object> { ["desk-api"] = new Dictionary<string, object> { ["roles"] = new[] { "lead" } } },
        };

        Assert.Equal(["admin", "agent"], Mapper().RolesOf(Principal(new() { ["roles"] = new[] { "agent", "admin" } })).Order());
        Assert.Equal(["agent"], Mapper().RolesOf(Principal(new() { ["role"] = "agent" })));
        Assert.Empty(Mapper().RolesOf(Principal(keycloak)));
        Assert.Equal(["agent", "offline_access"], Mapper(o => o.RolesPath = "realm_access.roles").RolesOf(Principal(keycloak)).Order());
        Assert.Equal(["lead"], Mapper(o => o.RolesPath = "resource_access.desk-api.roles").RolesOf(Principal(keycloak)));
        Assert.Empty(Mapper(o => o.RolesPath = "realm_access.groups").RolesOf(Principal(keycloak)));
        Assert.Empty(Mapper(o => o.RolesPath = "sub.roles").RolesOf(Principal(new() { ["sub"] = "{not json" })));
    }

    [Fact]
    public void A_namespaced_role_claim_is_read_by_its_full_name()
    {
        var auth0 = Principal(new() { ["https://desk.example.com/roles"] = new[] { "agent" } });

        Assert.Equal(["agent"], Mapper(o => o.Roles = ["https://desk.example.com/roles"]).RolesOf(auth0));
    }

    [Fact]
    public void Subject_and_name_follow_the_configured_claims()
    {
        var entra = Principal(new() { ["sub"] = "pairwise", ["oid"] = "object-id", ["name"] = "Alice Agent", ["preferred_username"] = "alice@example.com" });

        Assert.Equal("pairwise", Mapper().SubjectOf(entra));
        Assert.Equal("Alice Agent", Mapper().NameOf(entra));
        Assert.Equal("object-id", Mapper(o => o.Subject = "oid").SubjectOf(entra));
        Assert.Equal("alice@example.com", Mapper(o => o.Name = "preferred_username").NameOf(entra));
    }

    [Theory]
    [InlineData(null, null, "https://desk.example.com/mcp", "https://desk.example.com/")]
    [InlineData(null, null, "https://desk.example.com:8443/desk/mcp", "https://desk.example.com:8443/desk/")]
    [InlineData(null, null, "https://desk.example.com/api", "https://desk.example.com/")]
    [InlineData("https://login.example.com/", null, "https://desk.example.com/mcp", "https://login.example.com/")]
    [InlineData(null, "https://auth.example.com/", "https://desk.example.com/mcp", "https://auth.example.com/")]
    [InlineData(null, null, null, null)]
    public void The_embedded_issuer_is_Auth_Issuer_else_Auth_Authority_else_derived_from_the_resource_url(string? issuer, string? authority, string? resource, string? expected)
    {
        var options = new AuthOptions { Issuer = issuer is null ? null : new Uri(issuer), Authority = authority is null ? null : new Uri(authority) };

        Assert.Equal(expected, ProtectedResource.EmbeddedIssuer(options, resource is null ? null : new Uri(resource))?.AbsoluteUri);
    }
}
