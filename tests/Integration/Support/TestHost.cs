using McpCqrs.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace McpCqrs.Tests.Integration.Support;

/// <summary>
/// The real application (the same <see cref="McpCqrsApp.Build"/> as <c>Program</c>) on a real Kestrel port on
/// loopback, chosen by the OS. No test server, no mocks.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    /// <summary>The <c>Mcp:RequestStateKey</c> of every test host that does not set its own (32 bytes, base64).</summary>
    public const string RequestStateKey = "dGVzdC1ob3N0cy1yZXF1ZXN0LXN0YXRlLWtleS0zMmI=";

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(
        IDictionary<string, string?> settings,
        string environment = "Production",
        Action<IServiceCollection>? services = null,
        int port = 0)
    {
        // Hosts of tests that are not about authentication run without it (AllowAny, deliberately let out of
        // Development by its escape hatch); auth tests choose a back-end.
        var effective = new Dictionary<string, string?>(settings);
        if (!effective.ContainsKey("Auth:Backend"))
        {
            effective["Auth:Backend"] = "AllowAny";
            effective["Auth:AllowAnyOutsideDevelopment"] = "true";
        }

        // Required outside Development; a fixed key for every test host (a test about the key sets its own, or null).
        effective.TryAdd("Mcp:RequestStateKey", RequestStateKey);

        // Every test connects from loopback, so the per-caller session bounds would be shared by unrelated tests (and,
        // with Redis, by concurrent runs): they are lifted here unless a test is about them.
        effective.TryAdd("Mcp:Limits:SessionsPerMinutePerPrincipal", "1000000");
        effective.TryAdd("Mcp:Limits:MaxSessionsPerPrincipal", "100000");

        var app = McpCqrsApp.Build(
            [$"--environment={environment}", $"--urls=http://127.0.0.1:{port}"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(effective);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                services?.Invoke(builder.Services);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestHost(app, new Uri(address));
    }

    /// <summary>A host on PostgreSQL, migrated at start (as in development), without the sample data unless asked.</summary>
    public static Task<TestHost> StartOnPostgresAsync(
        string connectionString,
        bool seed = false,
        IDictionary<string, string?>? more = null,
        Action<IServiceCollection>? services = null,
        int port = 0)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = connectionString,
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateOnStartup"] = "true",
            ["Database:Seed"] = seed ? "true" : "false",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return StartAsync(settings, services: services, port: port);
    }

    /// <summary>A loopback port free right now, for a host whose own URL must be in its configuration (e.g. <c>Mcp:ResourceUrl</c>).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A host on the embedded SQLite default, in a throw-away folder; for tests that need no PostgreSQL.</summary>
    public static async Task<TestHost> StartOnSqliteAsync(Action<IServiceCollection>? services = null, IDictionary<string, string?>? more = null, int port = 0, string environment = "Production")
    {
        var folder = Directory.CreateTempSubdirectory("mcpcqrs-host-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = string.Empty,
            ["Database:SqlitePath"] = Path.Combine(folder, "desk.db"),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = await StartAsync(settings, environment, services, port);
        host._folder = folder;
        return host;
    }

    private string? _folder;

    /// <summary>Stops the host as SIGTERM would (graceful shutdown); disposing afterwards is still needed.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
