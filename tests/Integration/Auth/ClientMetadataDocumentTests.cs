using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// A URL as <c>client_id</c> (OAuth Client ID Metadata Documents) on the real host in Development, where loopback
/// http document URLs are accepted, so the documents come from a real server on loopback started here: the code
/// flow through the sign-in page, the document's redirect URIs enforced, documents that break the rules, private
/// addresses, redirects, oversized and slow documents refused with a clear error, client credentials refused.
/// </summary>
public sealed class ClientMetadataDocumentTests(ClientMetadataDocumentHost fixture) : IClassFixture<ClientMetadataDocumentHost>
{
    private TestHost Host => fixture.Host;

    private DocumentServer Documents => fixture.Documents;

    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task The_metadata_advertises_client_id_metadata_documents(string path)
    {
        var metadata = await Host.Client.GetFromJsonAsync<JsonElement>(path);
        Assert.True(metadata.GetProperty("client_id_metadata_document_supported").GetBoolean());
    }

    [Fact]
    public async Task A_url_client_id_completes_the_code_flow_and_the_sign_in_page_names_its_host()
    {
        var clientId = Documents.ServeDocument("/clients/desk-agent.json", name: "Desk Agent", redirectUris: [AuthHost.RedirectUri]);

        using var browser = OAuth.NoRedirects(Host);
        var (_, challenge) = OAuth.Pkce();
        var page = await browser.GetAsync(OAuth.AuthorizeUrl(clientId, challenge, "s1", "tickets:read"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains($"<strong>Desk Agent ({Documents.Address.Authority})</strong> asks for access", html, StringComparison.Ordinal);

        // The whole flow, then a refresh: the stored client is public, with PKCE and refresh tokens.
        var tokens = await OAuth.AuthorizationCodeAsync(Host, clientId, "alice", "alice-password", "tickets:read offline_access", AuthHost.ResourceOf(Host));
        Assert.False(string.IsNullOrEmpty(tokens["access_token"]?.GetValue<string>()));
        var refreshed = await OAuth.TokenAsync(Host.Client,
        [
            new("grant_type", "refresh_token"),
            new("client_id", clientId),
            new("refresh_token", tokens["refresh_token"]!.GetValue<string>()),
        ]);
        Assert.False(string.IsNullOrEmpty(refreshed["access_token"]?.GetValue<string>()));

        // Served with max-age=300: fetched once for the page, the sign-in, the code and the refresh.
        Assert.Equal(1, Documents.Hits("/clients/desk-agent.json"));
    }

    [Fact]
    public async Task A_redirect_uri_outside_the_document_is_refused_on_an_error_page_not_redirected()
    {
        var clientId = Documents.ServeDocument("/clients/strict.json", name: "Strict", redirectUris: ["http://127.0.0.1:3000/only-here"]);

        var (status, location, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(location);
        Assert.Contains("invalid_request", body, StringComparison.Ordinal);
        Assert.Contains("redirect_uri", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_naming_another_client_id_is_refused()
    {
        var clientId = Documents.Serve("/clients/impostor.json", new JsonObject
        {
            ["client_id"] = "https://claude.ai/oauth/claude-client-metadata",
            ["client_name"] = "Claude",
            ["redirect_uris"] = new JsonArray(AuthHost.RedirectUri),
        });

        var (status, location, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(location);
        Assert.Contains($"The client's metadata document at {clientId} names the client_id 'https://claude.ai/oauth/claude-client-metadata': it must be exactly the URL it is served at.", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/client.json", "169.254.169.254, a link-local address")]
    [InlineData("https://10.1.2.3/client.json", "10.1.2.3, a private address")]
    [InlineData("https://[fd00::1]/client.json", "a unique-local address")]
    [InlineData("https://[::ffff:192.168.0.10]/client.json", "an IPv4-mapped address of a private address")]
    public async Task A_client_id_at_a_private_address_is_refused_with_a_clear_error(string clientId, string reason)
    {
        var (status, location, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(location);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.Contains("documents are fetched only from public addresses", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_credentials_are_refused_for_a_url_client_id_without_fetching_anything()
    {
        var clientId = Documents.ServeDocument("/clients/confidential.json", name: "Wants secrets", redirectUris: [AuthHost.RedirectUri]);

        var response = await Host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", "anything-at-all"),
            new("scope", "tickets:read"),
        ]));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
        Assert.Contains("cannot use client credentials", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, Documents.Hits("/clients/confidential.json"));
    }

    [Fact]
    public async Task Client_credentials_are_refused_for_a_url_client_already_stored()
    {
        var clientId = Documents.ServeDocument("/clients/stored.json", name: "Stored", redirectUris: [AuthHost.RedirectUri]);
        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(clientId)).Status);

        foreach (var secret in new[] { "anything", string.Empty })
        {
            var response = await Host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", clientId),
                new("client_secret", secret),
            ]));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_redirect_from_the_document_url_is_not_followed()
    {
        var target = Documents.ServeDocument("/clients/moved-here.json", name: "Moved", redirectUris: [AuthHost.RedirectUri]);
        var clientId = Documents.Handle("/clients/moved.json", http =>
        {
            http.Response.Redirect(target);
            return Task.CompletedTask;
        });

        var (status, _, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("redirects are not followed", body, StringComparison.Ordinal);
        Assert.Equal(0, Documents.Hits("/clients/moved-here.json"));
    }

    [Fact]
    public async Task A_document_larger_than_the_limit_is_refused()
    {
        var clientId = Documents.Serve("/clients/huge.json", new JsonObject
        {
            ["client_id"] = Documents.UrlOf("/clients/huge.json"),
            ["redirect_uris"] = new JsonArray(AuthHost.RedirectUri),
            ["padding"] = new string('x', 6000),
        });

        var (status, _, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 5120 are accepted", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_longer_than_the_limit_without_a_length_is_refused()
    {
        var clientId = Documents.Handle("/clients/chunked.json", async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"client_id\":\"" + Documents.UrlOf("/clients/chunked.json") + "\",\"padding\":\"");
            await http.Response.Body.FlushAsync(); // chunked: no Content-Length
            await http.Response.WriteAsync(new string('x', 6000) + "\"}");
        });

        var (status, _, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("is longer than 5120 bytes", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_that_does_not_arrive_in_time_is_refused()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientId = Documents.Handle("/clients/slow.json", async http =>
        {
            // Held until the test is over: the fetch's own timeout must end it.
            await release.Task.WaitAsync(http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        try
        {
            var (status, _, body) = await AuthorizeAsync(clientId);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("did not arrive within 3 seconds", body, StringComparison.Ordinal);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_document_that_is_not_json_is_refused()
    {
        var clientId = Documents.Handle("/clients/page.html", http =>
        {
            http.Response.ContentType = "text/html";
            return http.Response.WriteAsync("<html></html>");
        });

        var (status, _, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("was served as 'text/html': it must be application/json", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_whose_connection_breaks_off_is_refused_with_a_clear_error()
    {
        var clientId = Documents.Handle("/clients/cut-short.json", async http =>
        {
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = 2000;
            await http.Response.WriteAsync("{\"client_id\"");
            await http.Response.Body.FlushAsync();
            http.Abort();
        });

        var (status, _, body) = await AuthorizeAsync(clientId);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Matches("could not be (fetched|read to its end)", body); // whichever part the break falls in: a refusal, not a 500
    }

    [Fact]
    public async Task A_changed_document_updates_the_stored_client_when_its_cache_runs_out()
    {
        // no-store and a zero minimum (this host's setting): every request fetches again.
        var clientId = Documents.ServeDocument("/clients/changing.json", name: "First", redirectUris: [AuthHost.RedirectUri], cacheControl: "no-store");
        var first = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains("First (", first.Body, StringComparison.Ordinal);

        Documents.ServeDocument("/clients/changing.json", name: "Second", redirectUris: ["http://127.0.0.1:3000/other"], cacheControl: "no-store");
        var second = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, second.Status); // the old redirect URI is gone
        Assert.Contains("redirect_uri", second.Body, StringComparison.Ordinal);
        var third = await AuthorizeAsync(clientId, redirectUri: "http://127.0.0.1:3000/other");
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Contains("Second (", third.Body, StringComparison.Ordinal);
        Assert.Equal(3, Documents.Hits("/clients/changing.json"));
    }

    [Fact]
    public async Task A_document_that_cannot_be_fetched_says_why()
    {
        var clientId = Documents.UrlOf("/clients/missing.json");

        var (status, _, body) = await AuthorizeAsync(clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"The client's metadata document at {clientId} answered 404", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_loopback_is_refused_as_an_address_and_as_http()
    {
        var port = TestHost.FreePort();
        await using var production = await TestHost.StartOnSqliteAsync(more: AuthHost.Settings(port), port: port);
        var clientId = Documents.ServeDocument("/clients/local.json", name: "Local", redirectUris: [AuthHost.RedirectUri]);

        var http = await AuthorizeAsync(production, clientId);
        Assert.Equal(HttpStatusCode.BadRequest, http.Status);
        Assert.Contains("a client_id URL must use https", http.Body, StringComparison.Ordinal);

        // A name that resolves to loopback: refused on the resolved address, before any connection.
        var named = await AuthorizeAsync(production, $"https://localhost:{Documents.Address.Port}/clients/local.json");
        Assert.Equal(HttpStatusCode.BadRequest, named.Status);
        Assert.Contains("is on localhost, which does not resolve to public addresses only", named.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", named.Body, StringComparison.Ordinal); // what a name resolves to inside is not told
        Assert.Equal(0, Documents.Hits("/clients/local.json"));
    }

    [Fact]
    public async Task Disabled_documents_are_neither_advertised_nor_fetched()
    {
        var port = TestHost.FreePort();
        await using var disabled = await TestHost.StartAsync(
            AuthHost.Settings(port, new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = string.Empty,
                ["Database:SqlitePath"] = Path.Combine(fixture.Folder, "disabled.db"),
                ["Auth:ClientMetadataDocuments:Enabled"] = "false",
            }),
            environment: "Development",
            port: port);
        var clientId = Documents.ServeDocument("/clients/unused.json", name: "Unused", redirectUris: [AuthHost.RedirectUri]);

        var metadata = await disabled.Client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.False(metadata.TryGetProperty("client_id_metadata_document_supported", out _));
        var (status, _, _) = await AuthorizeAsync(disabled, clientId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, Documents.Hits("/clients/unused.json"));
    }

    [Fact]
    public async Task A_client_stored_from_a_document_is_refused_once_documents_are_switched_off()
    {
        var clientId = Documents.ServeDocument("/clients/switched-off.json", name: "Switched off", redirectUris: [AuthHost.RedirectUri]);
        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(clientId)).Status);

        // The same database, documents switched off: the stored client is not used with its last redirect URIs.
        var port = TestHost.FreePort();
        await using var disabled = await TestHost.StartAsync(
            AuthHost.Settings(port, new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = string.Empty,
                ["Database:SqlitePath"] = Path.Combine(fixture.Folder, "desk.db"),
                ["Auth:ClientMetadataDocuments:Enabled"] = "false",
            }),
            environment: "Development",
            port: port);
        var (status, location, body) = await AuthorizeAsync(disabled, clientId);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(location);
        Assert.Contains("does not accept clients identified by a metadata document", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_documents_asked_for_from_one_address_are_limited_per_minute()
    {
        var port = TestHost.FreePort();
        await using var limited = await TestHost.StartAsync(
            AuthHost.Settings(port, new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = string.Empty,
                ["Database:SqlitePath"] = Path.Combine(fixture.Folder, "limited.db"),
                ["Auth:ClientMetadataDocuments:FetchesPerMinutePerAddress"] = "2",
            }),
            environment: "Development",
            port: port);
        var first = Documents.ServeDocument("/clients/limited-1.json", name: "One", redirectUris: [AuthHost.RedirectUri]);
        var second = Documents.ServeDocument("/clients/limited-2.json", name: "Two", redirectUris: [AuthHost.RedirectUri]);
        var third = Documents.ServeDocument("/clients/limited-3.json", name: "Three", redirectUris: [AuthHost.RedirectUri]);

        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(limited, first)).Status);
        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(limited, second)).Status);
        var refused = await AuthorizeAsync(limited, third);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("too many new documents were asked for from this address", refused.Body, StringComparison.Ordinal);
        Assert.Equal(0, Documents.Hits("/clients/limited-3.json"));
        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(limited, first)).Status); // known documents still work
    }

    private Task<(HttpStatusCode Status, Uri? Location, string Body)> AuthorizeAsync(string clientId, string redirectUri = AuthHost.RedirectUri) =>
        AuthorizeAsync(Host, clientId, redirectUri);

    private static async Task<(HttpStatusCode Status, Uri? Location, string Body)> AuthorizeAsync(TestHost host, string clientId, string redirectUri = AuthHost.RedirectUri)
    {
        using var browser = OAuth.NoRedirects(host);
        var (_, challenge) = OAuth.Pkce();
        var url = OAuth.AuthorizeUrl(clientId, challenge, OAuth.Base64Url(RandomNumberGenerator.GetBytes(8)), "tickets:read")
            .Replace(Uri.EscapeDataString(AuthHost.RedirectUri), Uri.EscapeDataString(redirectUri), StringComparison.Ordinal);
        var response = await browser.GetAsync(url);
        return (response.StatusCode, response.Headers.Location, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The host (Development, SQLite, the embedded server) and the loopback server of client metadata documents.</summary>
public sealed class ClientMetadataDocumentHost : IAsyncLifetime
{
    private string? _folder;

    /// <summary>A throw-away folder for this class's SQLite databases.</summary>
    internal string Folder => _folder!;

    internal TestHost Host { get; private set; } = null!;

    internal DocumentServer Documents { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Documents = await DocumentServer.StartAsync();
        _folder = Directory.CreateTempSubdirectory("mcpcqrs-cimd-").FullName;
        var port = TestHost.FreePort();
        var settings = AuthHost.Settings(port, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = string.Empty,
            ["Database:SqlitePath"] = Path.Combine(_folder, "desk.db"),
            ["Auth:ClientMetadataDocuments:Timeout"] = "00:00:03",
            ["Auth:ClientMetadataDocuments:MinCacheLifetime"] = "00:00:00",
            ["Auth:ClientMetadataDocuments:FetchesPerMinutePerAddress"] = "10000", // every test here asks from loopback
        });
        Host = await TestHost.StartAsync(settings, environment: "Development", port: port);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Documents.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder!, recursive: true);
    }
}

/// <summary>A real HTTP server on loopback that serves client metadata documents (or misbehaves) per path, and counts requests.</summary>
internal sealed class DocumentServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    private DocumentServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<DocumentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new DocumentServer(builder.Build());
        server._app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "/";
            server._hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (server._routes.TryGetValue(path, out var handle))
            {
                await handle(http);
            }
            else
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Urls.First());
        return server;
    }

    public string UrlOf(string path) => new Uri(Address, path).AbsoluteUri;

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    /// <summary>Answers <paramref name="path"/> with <paramref name="handle"/>; returns its URL.</summary>
    public string Handle(string path, Func<HttpContext, Task> handle)
    {
        _routes[path] = handle;
        return UrlOf(path);
    }

    /// <summary>Serves <paramref name="document"/> at <paramref name="path"/> as JSON; returns its URL.</summary>
    public string Serve(string path, JsonObject document, string cacheControl = "max-age=300")
    {
        var json = document.ToJsonString();
        return Handle(path, http =>
        {
            http.Response.ContentType = "application/json";
            http.Response.Headers.CacheControl = cacheControl;
            http.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(json);
            return http.Response.WriteAsync(json);
        });
    }

    /// <summary>Serves a valid document whose <c>client_id</c> is its own URL.</summary>
    public string ServeDocument(string path, string name, string[] redirectUris, string cacheControl = "max-age=300") =>
        Serve(path, new JsonObject
        {
            ["client_id"] = UrlOf(path),
            ["client_name"] = name,
            ["redirect_uris"] = new JsonArray([.. redirectUris.Select(u => (JsonNode)u)]),
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
            ["response_types"] = new JsonArray("code"),
            ["token_endpoint_auth_method"] = "none",
        }, cacheControl);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
