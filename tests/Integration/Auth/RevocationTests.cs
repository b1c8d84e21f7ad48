using System.Net;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// The embedded server checks each access token's entry (<c>Auth:CheckTokenStatus</c>, on by default), so a token revoked
/// at <c>/connect/revoke</c> stops working at once; a revoked refresh token buys no new access token.
/// </summary>
public sealed class RevocationTests
{
    private static async Task<TestHost> StartAsync(IDictionary<string, string?>? more = null)
    {
        var port = TestHost.FreePort();
        return await TestHost.StartOnSqliteAsync(more: AuthHost.Settings(port, more), port: port);
    }

    private static async Task<HttpResponseMessage> InitializeAsync(TestHost host, string token) =>
        await new RawMcp(OAuth.BearerClient(host, token)).PostAsync(RawMcp.Initialize("2025-11-25"));

    /// <summary>RFC 7009 revocation by the public client <c>desk-cli</c> (or a confidential client with its secret).</summary>
    private static async Task RevokeAsync(TestHost host, string token, string hint, string clientId = AuthHost.PublicClientId, string? secret = null)
    {
        List<KeyValuePair<string, string>> form = [new("token", token), new("token_type_hint", hint), new("client_id", clientId)];
        if (secret is not null)
        {
            form.Add(new("client_secret", secret));
        }

        var response = await host.Client.PostAsync("/connect/revoke", new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"revocation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static Task<HttpResponseMessage> RefreshAsync(TestHost host, string refreshToken) =>
        host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "refresh_token"),
            new("client_id", AuthHost.PublicClientId),
            new("refresh_token", refreshToken),
        ]));

    private static async Task AssertRevokedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = OAuth.Challenge(response);
        Assert.Equal("invalid_token", challenge["error"]);
        Assert.Contains("revoked or is no longer valid", challenge["error_description"], StringComparison.Ordinal);
        Assert.Contains("revoked", (await RawMcp.JsonAsync(response))["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_access_token_gets_401_saying_so_and_a_revoked_refresh_token_buys_no_new_one()
    {
        await using var host = await StartAsync();
        var tokens = await OAuth.AuthorizationCodeAsync(host, AuthHost.PublicClientId, "alice", "alice-password", "tickets:read offline_access", AuthHost.ResourceOf(host));
        var access = tokens["access_token"]!.GetValue<string>();
        var refresh = tokens["refresh_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await InitializeAsync(host, access)).StatusCode);

        await RevokeAsync(host, access, "access_token");
        await AssertRevokedAsync(await InitializeAsync(host, access));

        // The refresh token of the same grant still works until it is revoked itself; then it is refused.
        var refreshed = await RefreshAsync(host, refresh);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var renewed = JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!;
        var newRefresh = renewed["refresh_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await InitializeAsync(host, renewed["access_token"]!.GetValue<string>())).StatusCode);

        await RevokeAsync(host, newRefresh, "refresh_token");
        var refused = await RefreshAsync(host, newRefresh);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_revoked_client_credentials_token_gets_401()
    {
        await using var host = await StartAsync();
        var token = await OAuth.ClientCredentialsAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", AuthHost.ResourceOf(host));
        Assert.Equal(HttpStatusCode.OK, (await InitializeAsync(host, token)).StatusCode);

        await RevokeAsync(host, token, "access_token", AuthHost.ReaderId, AuthHost.ReaderSecret);

        await AssertRevokedAsync(await InitializeAsync(host, token));
    }

    [Fact]
    public async Task With_CheckTokenStatus_off_a_revoked_access_token_is_accepted_until_it_expires()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Auth:CheckTokenStatus"] = "false" });
        var token = await OAuth.ClientCredentialsAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", AuthHost.ResourceOf(host));

        await RevokeAsync(host, token, "access_token", AuthHost.ReaderId, AuthHost.ReaderSecret);

        Assert.Equal(HttpStatusCode.OK, (await InitializeAsync(host, token)).StatusCode);
    }
}
