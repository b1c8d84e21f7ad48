using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>The host as its own OAuth 2.1 authorization server and as a protected resource, on real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthFlowTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly RSA SigningKey = RSA.Create(2048);
    private string _database = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _host = await AuthHost.StartOnPostgresAsync(_database, new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = SigningKey.ExportPkcs8PrivateKeyPem(),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await postgres.DropDatabaseAsync(_database);
    }

    private string Resource => AuthHost.ResourceOf(_host);

    private RawMcp Mcp(string token) => new(OAuth.BearerClient(_host, token));

    private static string Call(string tool, object arguments, int id = 2) => JsonSerializer.Serialize(new
    {
        jsonrpc = "2.0",
        id,
        method = "tools/call",
        @params = new { name = tool, arguments },
    });

    private static readonly object NewTicket = new { customerId = 1, title = "Printer on fire", description = "Smoke from tray 2." };

    [Fact]
    public async Task A_client_credentials_token_without_the_tools_scope_gets_403_insufficient_scope_and_one_with_it_succeeds()
    {
        var reader = Mcp(await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));
        await reader.InitializeAsync();

        var denied = await reader.PostAsync(Call("create_ticket", NewTicket));

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var challenge = OAuth.Challenge(denied);
        Assert.Equal("insufficient_scope", challenge["error"]);
        Assert.Equal("tickets:write", challenge["scope"]);
        Assert.Equal($"{_host.Address.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-protected-resource/mcp", challenge["resource_metadata"]);
        var error = (await RawMcp.JsonAsync(denied))["error"]!;
        Assert.Equal(-32001, error["code"]!.GetValue<int>());
        Assert.Equal("tickets:write", error["data"]!["requiredScopes"]![0]!.GetValue<string>());

        // Reading is within its scope.
        var read = await reader.PostAsync(Call("get_ticket", new { id = 1 }, id: 3));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotEqual(true, (await RawMcp.JsonAsync(read))["result"]!["isError"]?.GetValue<bool>());

        var writer = Mcp(await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read tickets:write", Resource));
        await writer.InitializeAsync();
        var created = await writer.PostAsync(Call("create_ticket", NewTicket));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var result = (await RawMcp.JsonAsync(created))["result"]!;
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        Assert.Equal("Printer on fire", result["structuredContent"]!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_is_authorized_when_it_is_created_and_only_its_creator_reaches_it()
    {
        var tasks = new JsonObject { ["elicitation"] = new JsonObject(), ["extensions"] = new JsonObject { ["io.modelcontextprotocol/tasks"] = new JsonObject() } };
        JsonObject Export() => McpCqrs.Tests.Integration.Stateless.StatelessWire.Call("export_tickets", new JsonObject { ["filter"] = "status=Open" }, meta: McpCqrs.Tests.Integration.Stateless.StatelessWire.Meta((JsonObject)tasks.DeepClone()));

        using var customersOnly = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "customers:read", Resource));
        using var denied = await new McpCqrs.Tests.Integration.Stateless.StatelessHttp(customersOnly).SendAsync(Export());
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("tickets:read", OAuth.Challenge(denied)["scope"]);

        using var reader = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));
        var created = (await new McpCqrs.Tests.Integration.Stateless.StatelessHttp(reader).CallAsync(Export())).Final["result"]!;
        Assert.Equal("task", created["resultType"]!.GetValue<string>());
        var get = McpCqrs.Tests.Integration.Stateless.StatelessWire.Request("tasks/get", new JsonObject { ["taskId"] = created["taskId"]!.GetValue<string>() }, meta: McpCqrs.Tests.Integration.Stateless.StatelessWire.Meta((JsonObject)tasks.DeepClone()));

        using var writer = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", Resource));
        Assert.Equal(-32602, (await new McpCqrs.Tests.Integration.Stateless.StatelessHttp(writer).CallAsync(get)).Final["error"]!["code"]!.GetValue<int>());
        Assert.Equal(created["taskId"]!.GetValue<string>(), (await new McpCqrs.Tests.Integration.Stateless.StatelessHttp(reader).CallAsync(get)).Final["result"]!["taskId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_may_not_ask_for_scopes_it_was_not_given()
    {
        var response = await _host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = AuthHost.ReaderId,
            ["client_secret"] = AuthHost.ReaderSecret,
            ["scope"] = "tickets:write",
        }));

        // OpenIddict answers a scope the client holds no permission for with invalid_request, naming the scope.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", error.GetProperty("error").GetString());
        Assert.Contains("scope", error.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(error.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task The_authorization_code_flow_with_PKCE_through_the_sign_in_page_yields_a_token_usable_on_mcp_and_a_refresh_token()
    {
        var tokens = await OAuth.AuthorizationCodeAsync(
            _host, AuthHost.PublicClientId, "alice", "alice-password", "tickets:read tickets:write offline_access", Resource);

        var mcp = Mcp(tokens["access_token"]!.GetValue<string>());
        await mcp.InitializeAsync();
        var comment = await mcp.PostAsync(Call("add_comment", new { ticketId = 1, body = "On it." }));
        Assert.Equal(HttpStatusCode.OK, comment.StatusCode);
        var result = (await RawMcp.JsonAsync(comment))["result"]!;
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        Assert.Equal("Alice Agent", result["structuredContent"]!["author"]!.GetValue<string>());

        // The refresh token gives a new access token with the same scopes and audience.
        var refreshed = await OAuth.TokenAsync(_host.Client,
        [
            new("grant_type", "refresh_token"),
            new("client_id", AuthHost.PublicClientId),
            new("refresh_token", tokens["refresh_token"]!.GetValue<string>()),
        ]);
        var again = Mcp(refreshed["access_token"]!.GetValue<string>());
        await again.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await again.PostAsync(Call("create_ticket", NewTicket))).StatusCode);
    }

    [Fact]
    public async Task A_user_grants_only_the_scopes_they_hold_whatever_the_client_asks()
    {
        var tokens = await OAuth.AuthorizationCodeAsync(_host, AuthHost.PublicClientId, "victor", "victor-password", "tickets:read tickets:write", Resource);

        Assert.Equal("tickets:read", tokens["scope"]!.GetValue<string>());
        var mcp = Mcp(tokens["access_token"]!.GetValue<string>());
        await mcp.InitializeAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await mcp.PostAsync(Call("create_ticket", NewTicket))).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_sign_in_page_again_and_issues_no_code()
    {
        using var browser = OAuth.NoRedirects(_host);
        var (_, challenge) = OAuth.Pkce();
        var page = await browser.GetStringAsync(OAuth.AuthorizeUrl(AuthHost.PublicClientId, challenge, "s1"));
        Assert.Contains("Support desk CLI", page, StringComparison.Ordinal);
        Assert.Contains("sent to <strong>127.0.0.1:3000</strong>", page, StringComparison.Ordinal);

        var response = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent([.. OAuth.FormFields(page), new("username", "alice"), new("password", "wrong")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("wrong password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Denying_on_the_sign_in_page_redirects_with_access_denied()
    {
        using var browser = OAuth.NoRedirects(_host);
        var (_, challenge) = OAuth.Pkce();
        var page = await browser.GetStringAsync(OAuth.AuthorizeUrl(AuthHost.PublicClientId, challenge, "s2"));

        var response = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent([.. OAuth.FormFields(page), new("deny", "1")]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var parameters = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.Equal("access_denied", parameters["error"]);
        Assert.Null(parameters["code"]);
    }

    public static TheoryData<string, string?> Unauthorised => new()
    {
        { "none", null },
        { "basic", "Basic dXNlcjpwYXNz" },
        { "empty bearer", "Bearer " },
        { "bearer only", "Bearer" },
        { "garbage", "Bearer not-a-token" },
    };

    [Theory]
    [MemberData(nameof(Unauthorised))]
    public async Task A_request_without_a_valid_token_gets_401_with_the_resource_metadata_challenge(string _, string? authorization)
    {
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Get, HttpMethod.Delete })
        {
            var raw = new RawMcp(_host.Client) { SessionId = method == HttpMethod.Post ? null : "0123456789abcdef" };
            var request = raw.Request(method, method == HttpMethod.Post ? RawMcp.Initialize("2025-11-25") : null);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            var response = await raw.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var challenge = OAuth.Challenge(response);
            Assert.Equal($"{_host.Address.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-protected-resource/mcp", challenge["resource_metadata"]);
            Assert.Contains("tickets:read", challenge["scope"], StringComparison.Ordinal);
            if (authorization is null or "Basic dXNlcjpwYXNz")
            {
                Assert.False(challenge.ContainsKey("error"), "a request without Bearer credentials gets no error code (RFC 6750 §3.1)");
            }
            else
            {
                Assert.Equal("invalid_token", challenge["error"]);
            }
        }
    }

    [Fact]
    public async Task A_token_in_the_query_string_is_refused_even_when_valid()
    {
        var token = await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", Resource);
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp?access_token=" + token) { Content = new StringContent(RawMcp.Initialize("2025-11-25"), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", RawMcp.Accept);

        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_request", OAuth.Challenge(response)["error"]);
    }

    [Fact]
    public async Task A_token_without_this_resource_in_its_audience_gets_401()
    {
        var noAudience = await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read");
        var otherResource = await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", AuthHost.OtherResource);
        var ours = await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", Resource);

        foreach (var token in new[] { noAudience, otherResource })
        {
            var response = await Mcp(token).PostAsync(RawMcp.Initialize("2025-11-25"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("invalid_token", OAuth.Challenge(response)["error"]);
        }

        Assert.Equal(HttpStatusCode.OK, (await Mcp(ours).PostAsync(RawMcp.Initialize("2025-11-25"))).StatusCode);
    }

    [Fact]
    public async Task A_resource_the_server_does_not_serve_cannot_be_asked_for()
    {
        var response = await _host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = AuthHost.WriterId,
            ["client_secret"] = AuthHost.WriterSecret,
            ["resource"] = "https://evil.example/mcp",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_target", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    /// <summary>A token signed with the server's own key, otherwise as the server issues them.</summary>
    private string Mint(DateTime expires, string? audience = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = _host.Address.AbsoluteUri,
        Audience = audience ?? Resource,
        IssuedAt = expires.AddHours(-1),
        NotBefore = expires.AddHours(-1),
        Expires = expires,
        TokenType = "at+jwt",
        Subject = new ClaimsIdentity([new Claim("sub", "writer"), new Claim("client_id", "writer"), new Claim("scope", "tickets:read")]),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(SigningKey), SecurityAlgorithms.RsaSha256),
    });

    [Fact]
    public async Task An_expired_token_gets_401_while_the_same_token_unexpired_is_accepted()
    {
        var fresh = await Mcp(Mint(DateTime.UtcNow.AddMinutes(10))).PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        var expired = await Mcp(Mint(DateTime.UtcNow.AddMinutes(-10))).PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("invalid_token", OAuth.Challenge(expired)["error"]);

        var wrongAudience = await Mcp(Mint(DateTime.UtcNow.AddMinutes(10), "https://elsewhere.example/mcp")).PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
    }

    [Fact]
    public async Task Another_principal_using_a_session_id_gets_404_and_no_token_gets_401_not_404()
    {
        var alice = Mcp(await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));
        var session = await alice.InitializeAsync();

        var mallory = Mcp(await OAuth.ClientCredentialsAsync(_host, AuthHost.WriterId, AuthHost.WriterSecret, "tickets:read", Resource));
        mallory.SessionId = session;
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync(Call("get_ticket", new { id = 1 }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.SendAsync(mallory.Request(HttpMethod.Delete))).StatusCode);

        var anonymous = new RawMcp(_host.Client) { SessionId = session };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(Call("get_ticket", new { id = 1 }))).StatusCode);

        // The owner's session is untouched.
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync(Call("get_ticket", new { id = 1 }))).StatusCode);
    }

    [Fact]
    public async Task The_stateless_era_is_behind_the_same_door_and_its_refusals_are_403_too()
    {
        var anonymous = new McpCqrs.Tests.Integration.Stateless.StatelessHttp(_host.Client);
        using (var response = await anonymous.SendAsync(McpCqrs.Tests.Integration.Stateless.StatelessWire.Request("server/discover")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.EndsWith("/.well-known/oauth-protected-resource/mcp", OAuth.Challenge(response)["resource_metadata"], StringComparison.Ordinal);
        }

        using var client = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));
        var reader = new McpCqrs.Tests.Integration.Stateless.StatelessHttp(client);

        var read = await reader.CallAsync(McpCqrs.Tests.Integration.Stateless.StatelessWire.Call("get_ticket", new JsonObject { ["id"] = 1 }));
        Assert.Equal(HttpStatusCode.OK, read.Status);

        using var denied = await reader.SendAsync(McpCqrs.Tests.Integration.Stateless.StatelessWire.Call("create_ticket", JsonSerializer.SerializeToNode(NewTicket)!.AsObject()));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("tickets:write", OAuth.Challenge(denied)["scope"]);
    }

    [Fact]
    public async Task With_HideForbidden_a_caller_lists_only_what_it_may_call_and_the_lists_are_private_to_it()
    {
        await _host.DisposeAsync();
        _host = await AuthHost.StartOnPostgresAsync(_database, new Dictionary<string, string?> { ["Authorization:HideForbidden"] = "true" });
        using var client = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));

        var list = await new McpCqrs.Tests.Integration.Stateless.StatelessHttp(client).CallAsync(McpCqrs.Tests.Integration.Stateless.StatelessWire.Request("tools/list"));

        var result = list.Final["result"]!;
        var tools = result["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("get_ticket", tools);
        Assert.Contains("list_tickets", tools);
        Assert.DoesNotContain("create_ticket", tools);
        Assert.DoesNotContain("get_customer", tools);
        Assert.Equal("private", result["cacheScope"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_role_configured_for_a_binding_is_read_from_the_users_token()
    {
        await _host.DisposeAsync();
        _host = await AuthHost.StartOnPostgresAsync(_database, new Dictionary<string, string?> { ["Authorization:Bindings:get_ticket:Roles:0"] = "agent" });

        var agent = Mcp((await OAuth.AuthorizationCodeAsync(_host, AuthHost.PublicClientId, "alice", "alice-password", "tickets:read", Resource))["access_token"]!.GetValue<string>());
        await agent.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await agent.PostAsync(Call("get_ticket", new { id = 1 }))).StatusCode);

        var viewer = Mcp((await OAuth.AuthorizationCodeAsync(_host, AuthHost.PublicClientId, "victor", "victor-password", "tickets:read", Resource))["access_token"]!.GetValue<string>());
        await viewer.InitializeAsync();
        var denied = await viewer.PostAsync(Call("get_ticket", new { id = 1 }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("agent", (await RawMcp.JsonAsync(denied))["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(denied.Headers.WwwAuthenticate); // more scopes would not help: no step-up challenge
    }

    [Fact]
    public async Task Protected_resource_metadata_names_the_resource_its_authorization_server_and_scopes()
    {
        foreach (var path in new[] { "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp" })
        {
            var metadata = await _host.Client.GetFromJsonAsync<JsonElement>(path);

            Assert.Equal(Resource, metadata.GetProperty("resource").GetString());
            Assert.Equal(_host.Address.AbsoluteUri, metadata.GetProperty("authorization_servers")[0].GetString());
            Assert.Equal(["header"], metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
            var scopes = metadata.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("tickets:write", scopes);
            Assert.Contains("customers:read", scopes);
        }
    }

    [Fact]
    public async Task Authorization_server_metadata_advertises_PKCE_S256_registration_and_the_iss_parameter()
    {
        var metadata = await _host.Client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");

        Assert.Equal(_host.Address.AbsoluteUri, metadata.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal(new Uri(_host.Address, "/connect/register").AbsoluteUri, metadata.GetProperty("registration_endpoint").GetString());
        Assert.Contains("none", metadata.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_client_registers_itself_and_signs_a_user_in_with_its_new_client_id()
    {
        var registered = await _host.Client.PostAsJsonAsync("/connect/register", new
        {
            client_name = "Some MCP client",
            redirect_uris = new[] { AuthHost.RedirectUri },
            token_endpoint_auth_method = "none",
            grant_types = new[] { "authorization_code", "refresh_token" },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var client = await registered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(client.TryGetProperty("client_secret", out _));

        var tokens = await OAuth.AuthorizationCodeAsync(_host, client.GetProperty("client_id").GetString()!, "alice", "alice-password", "tickets:read", Resource);

        var mcp = Mcp(tokens["access_token"]!.GetValue<string>());
        await mcp.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await mcp.PostAsync(Call("get_ticket", new { id = 1 }))).StatusCode);
    }

    [Fact]
    public async Task Registrations_and_sign_in_posts_are_limited_per_client_address()
    {
        await _host.DisposeAsync();
        _host = await AuthHost.StartOnPostgresAsync(_database, new Dictionary<string, string?> { ["Auth:AttemptsPerMinute"] = "3" });
        var body = new { redirect_uris = new[] { AuthHost.RedirectUri }, token_endpoint_auth_method = "none" };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await _host.Client.PostAsJsonAsync("/connect/register", body)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await _host.Client.PostAsJsonAsync("/connect/register", body)).StatusCode);
        // Sign-in posts share the window: the next guess at a password is refused before it is checked.
        var (_, challenge) = OAuth.Pkce();
        var page = await _host.Client.GetStringAsync(OAuth.AuthorizeUrl(AuthHost.PublicClientId, challenge, "s3"));
        var guess = await _host.Client.PostAsync("/connect/authorize", new FormUrlEncodedContent([.. OAuth.FormFields(page), new("username", "alice"), new("password", "guess")]));
        Assert.Equal(HttpStatusCode.TooManyRequests, guess.StatusCode);
    }

    [Theory]
    [InlineData("""{"redirect_uris":["http://evil.example/callback"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["javascript:alert(1)"]}""", "invalid_redirect_uri")]
    [InlineData("""{"client_name":"no redirects"}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["https://app.example/cb"],"grant_types":["client_credentials"]}""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":["https://app.example/cb"],"scope":"admin:everything"}""", "invalid_client_metadata")]
    [InlineData("""not json""", "invalid_client_metadata")]
    public async Task Registration_refuses_unsafe_or_unknown_metadata(string body, string error)
    {
        var response = await _host.Client.PostAsync("/connect/register", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task REST_needs_a_token_and_answers_403_problem_details_with_the_challenge_for_a_missing_scope()
    {
        var anonymous = await _host.Client.GetAsync("/api/tickets");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("resource_metadata", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var reader = OAuth.BearerClient(_host, await OAuth.ClientCredentialsAsync(_host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", Resource));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/tickets")).StatusCode);

        var denied = await reader.PostAsJsonAsync("/api/tickets", NewTicket);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("application/problem+json", denied.Content.Headers.ContentType!.MediaType);
        Assert.Equal("forbidden", (await denied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var challenge = OAuth.Challenge(denied);
        Assert.Equal("insufficient_scope", challenge["error"]);
        Assert.Equal("tickets:write", challenge["scope"]);
    }
}
