using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// Open configurations (no authentication, unchecked permissions, open registration, a request-state key per process)
/// start only in Development; elsewhere the start fails naming the key, unless an escape hatch says so.
/// </summary>
public sealed class SafeDefaultsTests
{
    private static readonly object Registration = new
    {
        client_name = "Some MCP client",
        redirect_uris = new[] { AuthHost.RedirectUri },
        token_endpoint_auth_method = "none",
    };

    private static async Task<HttpStatusCode> InitializeAsync(TestHost host) =>
        (await new RawMcp(host.Client).PostAsync(RawMcp.Initialize("2025-11-25"))).StatusCode;

    /// <summary>The embedded server on SQLite, with <paramref name="change"/> applied to the auth tests' settings (a null value removes the key).</summary>
    private static Task<TestHost> EmbeddedAsync(IDictionary<string, string?> change, string environment = "Production")
    {
        var port = TestHost.FreePort();
        var settings = AuthHost.Settings(port);
        foreach (var (key, value) in change)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        return TestHost.StartOnSqliteAsync(more: settings, port: port, environment: environment);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task AllowAny_starts_outside_Development_only_with_its_escape_hatch(string environment)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartOnSqliteAsync(
            more: new Dictionary<string, string?> { ["Auth:Backend"] = "AllowAny" }, environment: environment));
        Assert.Contains("Auth:AllowAnyOutsideDevelopment=true", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{environment}'", refused.Message, StringComparison.Ordinal);

        await using var open = await TestHost.StartOnSqliteAsync(
            more: new Dictionary<string, string?> { ["Auth:Backend"] = "AllowAny", ["Auth:AllowAnyOutsideDevelopment"] = "true" },
            environment: environment);
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(open));
    }

    [Fact]
    public async Task AllowAny_starts_in_Development_without_an_escape_hatch()
    {
        await using var host = await TestHost.StartOnSqliteAsync(
            more: new Dictionary<string, string?> { ["Auth:Backend"] = "AllowAny" }, environment: "Development");
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(host));
    }

    [Fact]
    public async Task The_former_AllowAnyInProduction_key_still_opens_the_host_and_a_warning_names_the_new_one()
    {
        var logs = new CapturedLogs();
        await using var host = await TestHost.StartOnSqliteAsync(
            services: s => s.AddSingleton<ILoggerProvider>(logs),
            more: new Dictionary<string, string?> { ["Auth:Backend"] = "AllowAny", ["Auth:AllowAnyInProduction"] = "true" });

        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(host));
        Assert.Contains(logs.Messages, m => m.Contains("Auth:AllowAnyInProduction is deprecated", StringComparison.Ordinal) && m.Contains("Auth:AllowAnyOutsideDevelopment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unenforced_permissions_start_outside_Development_only_with_their_escape_hatch()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => EmbeddedAsync(new Dictionary<string, string?> { ["Authorization:Enforce"] = "false" }));
        Assert.Contains("Authorization:AllowUnenforcedOutsideDevelopment=true", refused.Message, StringComparison.Ordinal);

        await using var host = await EmbeddedAsync(new Dictionary<string, string?>
        {
            ["Authorization:Enforce"] = "false",
            ["Authorization:AllowUnenforcedOutsideDevelopment"] = "true",
        });

        // Unenforced indeed: a token without tickets:write may create a ticket.
        var token = await OAuth.ClientCredentialsAsync(host, AuthHost.ReaderId, AuthHost.ReaderSecret, "tickets:read", AuthHost.ResourceOf(host));
        var mcp = new RawMcp(OAuth.BearerClient(host, token));
        await mcp.InitializeAsync();
        var created = await mcp.PostAsync(JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = 2,
            method = "tools/call",
            @params = new { name = "create_ticket", arguments = new { customerId = 1, title = "Unenforced", description = "Anyone may." } },
        }));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    [Fact]
    public async Task The_request_state_key_is_required_outside_Development_and_the_refusal_says_how_to_make_one()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartOnSqliteAsync(
            more: new Dictionary<string, string?> { ["Mcp:RequestStateKey"] = null }));
        Assert.Contains("Mcp:RequestStateKey is required", refused.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", refused.Message, StringComparison.Ordinal);

        await using var development = await TestHost.StartOnSqliteAsync(
            more: new Dictionary<string, string?> { ["Mcp:RequestStateKey"] = null }, environment: "Development");
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(development));
    }

    [Theory]
    [InlineData("Production", null, false)]
    [InlineData("Development", null, true)]
    [InlineData("Production", "true", true)]
    public async Task Dynamic_registration_is_open_by_default_only_in_Development(string environment, string? setting, bool open)
    {
        await using var host = await EmbeddedAsync(new Dictionary<string, string?> { ["Auth:DynamicClientRegistration"] = setting }, environment);

        var metadata = await host.Client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal(open, metadata.TryGetProperty("registration_endpoint", out _));
        var registered = await host.Client.PostAsJsonAsync("/connect/register", Registration);
        Assert.Equal(open ? HttpStatusCode.Created : HttpStatusCode.NotFound, registered.StatusCode);
    }

    [Fact]
    public async Task With_an_initial_access_token_only_a_caller_presenting_it_may_register()
    {
        const string InitialToken = "initial-access-token-0123456789";
        await using var host = await EmbeddedAsync(new Dictionary<string, string?> { ["Auth:RegistrationAccessToken"] = InitialToken });

        async Task<HttpResponseMessage> RegisterAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/register") { Content = JsonContent.Create(Registration) };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await host.Client.SendAsync(request);
        }

        foreach (var wrong in new[] { null, "initial-access-token-012345678X", InitialToken[..^1] })
        {
            var refused = await RegisterAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid_token", OAuth.Challenge(refused)["error"]);
            var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("invalid_token", body.GetProperty("error").GetString());
            Assert.Contains("initial access token", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        }

        var registered = await RegisterAsync(InitialToken);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var client = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;
        var tokens = await OAuth.AuthorizationCodeAsync(host, client, "alice", "alice-password", "tickets:read", AuthHost.ResourceOf(host));
        Assert.False(string.IsNullOrEmpty(tokens["access_token"]?.GetValue<string>()));
    }

    /// <summary>Every warning and above the host logs.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    messages.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
