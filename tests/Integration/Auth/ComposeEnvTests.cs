using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// <c>deploy/generate-env.sh</c> writes a <c>.env</c> that <c>docker-compose.yml</c> turns into a Production host's
/// settings: the host starts with them, signs tokens with the generated key, and the configured user signs in.
/// </summary>
public sealed partial class ComposeEnvTests
{
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpCqrs.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (McpCqrs.sln) was not found above the test's directory.");
    }

    /// <summary>Runs the script into a fresh folder and reads the <c>.env</c> it wrote.</summary>
    private static async Task<Dictionary<string, string>> GenerateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("mcpcqrs-env-").FullName;
        try
        {
            var target = Path.Combine(folder, ".env");
            var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "deploy", "generate-env.sh"), target])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var script = Process.Start(start)!;
            var output = script.StandardOutput.ReadToEndAsync();
            var errors = script.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await script.WaitForExitAsync(timeout.Token);
            Assert.True(script.ExitCode == 0, $"generate-env.sh exited {script.ExitCode}: {await output}{await errors}");

            // A second run keeps the file it would replace.
            using var again = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "deploy", "generate-env.sh"), target]) { RedirectStandardError = true })!;
            await again.StandardError.ReadToEndAsync();
            await again.WaitForExitAsync(timeout.Token);
            Assert.NotEqual(0, again.ExitCode);

            return DotEnv(await File.ReadAllTextAsync(target));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The lines the script writes, read as Compose reads them: <c>KEY=value</c>, or <c>KEY="value"</c> with <c>\n</c>,
    /// <c>\"</c> and <c>\\</c> escapes; comments and blank lines skipped.
    /// </summary>
    private static Dictionary<string, string> DotEnv(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"not a KEY=value line: {line}");
            var value = line[(equals + 1)..];
            if (value.StartsWith('"'))
            {
                Assert.True(value.Length >= 2 && value.EndsWith('"'), $"unterminated quotes: {line[..equals]}");
                value = Regex.Replace(value[1..^1], @"\\(.)", m => m.Groups[1].Value == "n" ? "\n" : m.Groups[1].Value);
            }

            values[line[..equals]] = value;
        }

        return values;
    }

    /// <summary>
    /// The settings the compose file gives every instance (its <c>x-app-auth</c> block, merged into each app service),
    /// with <c>${VAR:?message}</c> replaced from <paramref name="env"/> and <c>__</c> read as <c>:</c>.
    /// </summary>
    private static Dictionary<string, string?> ComposeSettings(IReadOnlyDictionary<string, string> env)
    {
        var compose = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docker-compose.yml"));
        Assert.Equal(2, compose.Count(l => l.Trim() == "<<: *app-auth")); // app and the scale-out instances

        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var line in compose.SkipWhile(l => !l.StartsWith("x-app-auth:", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)))
        {
            var (key, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)].Trim(), line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('"'));
            settings[key.Replace("__", ":", StringComparison.Ordinal)] = Required().Replace(value, m =>
                env.TryGetValue(m.Groups["name"].Value, out var found) && found.Length > 0 ? found : throw new InvalidOperationException($"{m.Groups["name"].Value} is not in .env"));
        }

        return settings;
    }

    [Fact]
    public async Task The_generated_env_lists_every_variable_the_compose_file_requires_and_the_example_names_them_all()
    {
        var env = await GenerateAsync();
        var root = RepositoryRoot();
        var required = Required().Matches(await File.ReadAllTextAsync(Path.Combine(root, "docker-compose.yml"))).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var example = DotEnv(await File.ReadAllTextAsync(Path.Combine(root, ".env.example"))).Keys.ToHashSet(StringComparer.Ordinal);

        Assert.Subset(env.Keys.ToHashSet(StringComparer.Ordinal), required);
        Assert.All(required, name => Assert.False(string.IsNullOrWhiteSpace(env[name]), $"{name} is empty"));
        Assert.Equal(env.Keys.Order(StringComparer.Ordinal), example.Order(StringComparer.Ordinal));
        var compose = await File.ReadAllTextAsync(Path.Combine(root, "docker-compose.yml"));
        Assert.All(env.Keys, name => Assert.DoesNotMatch($@"\$\{{{name}(:?-|\}})", compose)); // never a default, never optional

        // Fresh values every time.
        var other = await GenerateAsync();
        Assert.All(required.Where(n => n != "DESK_USER"), name => Assert.NotEqual(env[name], other[name]));
    }

    [Fact]
    public async Task A_Production_host_with_the_generated_env_starts_signs_with_its_key_and_lets_the_configured_user_sign_in()
    {
        var env = await GenerateAsync();
        var settings = ComposeSettings(env);
        var port = TestHost.FreePort();
        settings["Mcp:ResourceUrl"] = $"http://127.0.0.1:{port}/mcp";
        settings["Auth:Backend"] = "OpenIddict"; // the default, as in the compose file (which leaves it unset)

        await using var host = await TestHost.StartOnSqliteAsync(more: settings, port: port);
        var resource = AuthHost.ResourceOf(host);

        // The user of .env signs in through the sign-in page with the desk-cli client of the compose file.
        var tokens = await OAuth.AuthorizationCodeAsync(host, "desk-cli", env["DESK_USER"], env["DESK_USER_PASSWORD"], "tickets:read tickets:write", resource);
        var accessToken = tokens["access_token"]!.GetValue<string>();
        var mcp = new RawMcp(OAuth.BearerClient(host, accessToken));
        await mcp.InitializeAsync();

        // Signed with the key of .env (so every instance given the same .env accepts it).
        using var signing = RSA.Create();
        signing.ImportFromPem(env["MCPCQRS_SIGNING_KEY"]);
        var checkedToken = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(signing.ExportParameters(false)),
            ValidateIssuer = false,
            ValidateAudience = false,
        });
        Assert.True(checkedToken.IsValid, checkedToken.Exception?.Message);

        // The service client's secret is the generated one; a wrong password shows the sign-in page again.
        Assert.False(string.IsNullOrEmpty(await OAuth.ClientCredentialsAsync(host, "desk-service", env["DESK_SERVICE_SECRET"], "tickets:read", resource)));
        using var browser = OAuth.NoRedirects(host);
        var (_, challenge) = OAuth.Pkce();
        var page = await (await browser.GetAsync(OAuth.AuthorizeUrl("desk-cli", challenge, "s", "tickets:read", resource))).Content.ReadAsStringAsync();
        var wrong = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(
            [.. OAuth.FormFields(page), new("username", env["DESK_USER"]), new("password", env["DESK_USER_PASSWORD"] + "x"), new("allow", "1")]));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Unknown user name or wrong password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(env["MCP_REQUEST_STATE_KEY"]).Length);
        Assert.Equal(env["MCP_REQUEST_STATE_KEY"], settings["Mcp:RequestStateKey"]);
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*):\?[^}]*\}")]
    private static partial Regex Required();
}
