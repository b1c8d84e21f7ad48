using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// The limits of the embedded authorization server's guessable requests, keyed by client id and by client address,
/// and the client address as the forwarded headers of a configured proxy give it (and of no one else).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AttemptLimitTests(PostgresServer postgres) : IAsyncLifetime
{
    private string _database = null!;
    private TestHost? _host;

    public async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await postgres.DropDatabaseAsync(_database);
    }

    private async Task<TestHost> StartAsync(Dictionary<string, string?> settings)
    {
        // Limits not under test are lifted, so only the one a test sets can refuse.
        settings.TryAdd("Auth:Limits:TokenRequestsPerMinutePerClient", "1000");
        settings.TryAdd("Auth:Limits:TokenRequestsPerMinutePerAddress", "1000");
        settings.TryAdd("Auth:Limits:FailedClientAuthenticationsPerMinutePerClient", "1000");
        return _host = await AuthHost.StartOnPostgresAsync(_database, settings);
    }

    /// <summary>A client credentials request for <paramref name="clientId"/>, as if from <paramref name="forwardedFor"/> when given.</summary>
    private static async Task<HttpResponseMessage> TokenAsync(TestHost host, string clientId, string secret, string? forwardedFor = null, bool basic = false)
    {
        List<KeyValuePair<string, string>> form = [new("grant_type", "client_credentials"), new("scope", "tickets:read")];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token");
        if (basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        }
        else
        {
            form.Add(new("client_id", clientId));
            form.Add(new("client_secret", secret));
        }

        request.Content = new FormUrlEncodedContent(form);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await host.Client.SendAsync(request);
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out var error) ? error.GetString() : null;

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("temporarily_unavailable", await ErrorOf(response));
    }

    [Fact]
    public async Task Guessing_one_clients_secret_is_refused_with_429_after_the_limit_while_another_client_still_gets_tokens()
    {
        var host = await StartAsync(new()
        {
            ["Auth:Limits:FailedClientAuthenticationsPerMinutePerClient"] = "3",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        const string attacker = "203.0.113.66";

        // Guesses by form and by Basic header count alike, from any address.
        for (var i = 0; i < 3; i++)
        {
            var guess = await TokenAsync(host, AuthHost.ReaderId, $"guess-{i}", attacker, basic: i == 1);
            Assert.Equal("invalid_client", await ErrorOf(guess));
        }

        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, "guess-3", attacker));
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, "guess-4", "198.51.100.99", basic: true));

        // The guessed client is held for the rest of the minute, wherever it asks from (a guess cannot be told from
        // the real client before its secret is checked); every other client is not.
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "198.51.100.20"));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret, "198.51.100.20")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret, attacker)).StatusCode);
    }

    [Theory]
    [InlineData("/connect/revoke")]
    [InlineData("/connect/introspect")]
    public async Task Guesses_at_revocation_and_introspection_count_against_the_client_as_at_the_token_endpoint(string endpoint)
    {
        var host = await StartAsync(new() { ["Auth:Limits:FailedClientAuthenticationsPerMinutePerClient"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            var guess = await host.Client.PostAsync(endpoint, new FormUrlEncodedContent(
                [new("client_id", AuthHost.ReaderId), new("client_secret", $"guess-{i}"), new("token", "anything")]));
            Assert.Equal("invalid_client", await ErrorOf(guess));
        }

        // Right or wrong, the next secret is not checked: the guesses are used up, at every endpoint.
        await AssertLimitedAsync(await host.Client.PostAsync(endpoint, new FormUrlEncodedContent(
            [new("client_id", AuthHost.ReaderId), new("client_secret", AuthHost.ReaderSecret), new("token", "anything")])));
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret));
    }

    [Fact]
    public async Task A_public_client_cannot_be_locked_out_by_requests_naming_it_with_a_bogus_secret()
    {
        var host = await StartAsync(new()
        {
            ["Auth:Limits:FailedClientAuthenticationsPerMinutePerClient"] = "2",
            ["Auth:Limits:TokenRequestsPerMinutePerClient"] = "2",
        });

        for (var i = 0; i < 4; i++)
        {
            var junk = await host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(
                [new("grant_type", "refresh_token"), new("client_id", AuthHost.PublicClientId), new("client_secret", "x"), new("refresh_token", "junk")]));
            Assert.NotEqual(HttpStatusCode.TooManyRequests, junk.StatusCode);
        }

        // Its genuine request is judged on its own merits (an unknown refresh token here), not refused by a limit.
        var genuine = await host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(
            [new("grant_type", "refresh_token"), new("client_id", AuthHost.PublicClientId), new("refresh_token", "unknown")]));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, genuine.StatusCode);
        Assert.Equal("invalid_grant", await ErrorOf(genuine));
    }

    [Fact]
    public async Task Every_token_request_counts_against_its_client_id()
    {
        var host = await StartAsync(new() { ["Auth:Limits:TokenRequestsPerMinutePerClient"] = "2" });

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, basic: true)).StatusCode);
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret));

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret)).StatusCode);
    }

    [Fact]
    public async Task One_address_cannot_exhaust_the_token_endpoint_and_an_IPv6_64_counts_as_one_address()
    {
        var host = await StartAsync(new()
        {
            ["Auth:Limits:TokenRequestsPerMinutePerAddress"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "203.0.113.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret, "203.0.113.9")).StatusCode);
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret, "203.0.113.9"));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.WriterId, AuthHost.WriterSecret, "203.0.113.10")).StatusCode);

        // Rotating through one /64 does not escape; the next /64 is another client.
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "2001:db8:1:2::1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "2001:db8:1:2:aaaa::2")).StatusCode);
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "2001:db8:1:3::1")).StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_address_that_is_not_a_configured_proxy_is_ignored()
    {
        // The proxy is configured, but the requests come straight from loopback: their headers choose nothing.
        var host = await StartAsync(new()
        {
            ["Auth:Limits:TokenRequestsPerMinutePerAddress"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "10.9.9.9",
        });

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "203.0.113.1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "203.0.113.2")).StatusCode);
        await AssertLimitedAsync(await TokenAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "203.0.113.3"));
    }

    [Fact]
    public async Task Registrations_are_counted_by_the_address_a_configured_proxy_forwards_and_refused_with_Retry_After()
    {
        var host = await StartAsync(new()
        {
            ["Auth:AttemptsPerMinute"] = "1",
            ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8",
        });

        async Task<HttpResponseMessage> RegisterAsync(string from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/register")
            {
                Content = JsonContent.Create(new { redirect_uris = new[] { AuthHost.RedirectUri }, token_endpoint_auth_method = "none" }),
            };
            request.Headers.Add("X-Forwarded-For", from);
            return await host.Client.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync("203.0.113.7")).StatusCode);
        var refused = await RegisterAsync("203.0.113.7");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync("::ffff:198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await RegisterAsync("198.51.100.7")).StatusCode);
    }
}
