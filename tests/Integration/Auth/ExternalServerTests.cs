using System.Net;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// A host as a pure resource server of another authorization server (here: a second host's embedded one), with
/// tokens checked by JWKS discovery or by introspection; and AllowAny refused in Production.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExternalServerTests(PostgresServer postgres)
{
    private static async Task<HttpStatusCode> InitializeAsync(TestHost host, string token)
    {
        using var client = OAuth.BearerClient(host, token);
        return (await new RawMcp(client).PostAsync(RawMcp.Initialize("2025-11-25"))).StatusCode;
    }

    [Theory]
    [InlineData("Jwks")]
    [InlineData("Introspection")]
    public async Task A_resource_server_accepts_the_external_servers_tokens_for_its_own_resource_only(string validation)
    {
        var port = TestHost.FreePort();
        var resource = $"http://127.0.0.1:{port}/mcp";
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            // The authorization server knows the resource server: as a resource, and as a client that may introspect.
            await using var issuer = await AuthHost.StartOnPostgresAsync(database, new Dictionary<string, string?>
            {
                ["Auth:Resources:1"] = resource,
                ["Auth:Clients:3:ClientId"] = resource,
                ["Auth:Clients:3:ClientSecret"] = "resource-server-secret",
            });
            await using var server = await TestHost.StartOnSqliteAsync(port: port, more: new Dictionary<string, string?>
            {
                ["Auth:Backend"] = "External",
                ["Auth:Authority"] = issuer.Address.AbsoluteUri,
                ["Auth:Validation"] = validation,
                ["Auth:ClientId"] = resource,
                ["Auth:ClientSecret"] = "resource-server-secret",
                ["Mcp:ResourceUrl"] = resource,
            });

            var forServer = await OAuth.ClientCredentialsAsync(issuer, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", resource);
            var forIssuer = await OAuth.ClientCredentialsAsync(issuer, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", AuthHost.ResourceOf(issuer));

            Assert.Equal(HttpStatusCode.OK, await InitializeAsync(server, forServer));
            Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, forIssuer));

            // Its metadata sends clients to the external server.
            var metadata = await server.Client.GetStringAsync("/.well-known/oauth-protected-resource/mcp");
            Assert.Contains($"\"authorization_servers\":[\"{issuer.Address.AbsoluteUri}\"]", metadata, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/connect/register")).StatusCode);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    [Theory]
    [InlineData("Authorization:Bindings:no_such_tool:Scopes:0", "x:admin", "names no binding: no_such_tool")]
    [InlineData("Auth:Authority", "https://login.example.com/", "Mcp:ResourceUrl is required")]
    public async Task A_configuration_that_would_protect_nothing_stops_the_start(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Auth:", StringComparison.Ordinal))
        {
            settings["Auth:Backend"] = "External";
        }

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartOnSqliteAsync(more: settings));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAny_does_not_start_in_Production_unless_forced()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?>
        {
            ["Auth:Backend"] = "AllowAny",
        }));
        Assert.Contains("AllowAny", refused.Message, StringComparison.Ordinal);

        await using var forced = await TestHost.StartOnSqliteAsync(more: new Dictionary<string, string?>
        {
            ["Auth:Backend"] = "AllowAny",
            ["Auth:AllowAnyInProduction"] = "true",
        });
        Assert.Equal(HttpStatusCode.OK, (await new RawMcp(forced.Client).PostAsync(RawMcp.Initialize("2025-11-25"))).StatusCode);
    }
}
