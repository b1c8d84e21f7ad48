using McpCqrs.Mcp.Security;
using McpCqrs.Mcp;
using McpCqrs.Mcp.AspNetCore.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Unit.Auth;

/// <summary>What is open only in Development, and the words of a refused start.</summary>
public sealed class SafeDefaultsTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "McpCqrs";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static readonly Environment Development = new("Development");
    private static readonly Environment Production = new("Production");
    private static readonly Environment Staging = new("Staging");

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void AllowAny_outside_Development_is_refused_naming_the_backend_the_environment_and_the_escape_hatch(string environment)
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions { Backend = AuthBackend.AllowAny }, new PermissionOptions(), new Environment(environment)));

        Assert.Contains("Auth:Backend is AllowAny", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{environment}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:AllowAnyOutsideDevelopment=true", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowAny_passes_in_Development_with_its_escape_hatch_and_with_the_former_key()
    {
        SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions { Backend = AuthBackend.AllowAny }, new PermissionOptions(), Development);
        SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions { Backend = AuthBackend.AllowAny, AllowAnyOutsideDevelopment = true }, new PermissionOptions(), Production);

        var former = new AuthOptions { Backend = AuthBackend.AllowAny, AllowAnyInProduction = true };
        SafeDefaults.EnsureClosedOutsideDevelopment(former, new PermissionOptions(), Staging);
        Assert.True(SafeDefaults.UsesDeprecatedAllowAny(former));
        Assert.False(SafeDefaults.UsesDeprecatedAllowAny(new AuthOptions { AllowAnyInProduction = true, AllowAnyOutsideDevelopment = true }));
    }

    [Fact]
    public void Unenforced_permissions_outside_Development_are_refused_unless_their_escape_hatch_is_set()
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions(), new PermissionOptions { Enforce = false }, Production));
        Assert.Contains("Authorization:Enforce is false", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Authorization:AllowUnenforcedOutsideDevelopment=true", refused.Message, StringComparison.Ordinal);

        SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions(), new PermissionOptions { Enforce = false, AllowUnenforcedOutsideDevelopment = true }, Production);
        SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions(), new PermissionOptions { Enforce = false }, Development);

        // AllowAny turns enforcement off itself; its own escape hatch is enough.
        SafeDefaults.EnsureClosedOutsideDevelopment(new AuthOptions { Backend = AuthBackend.AllowAny, AllowAnyOutsideDevelopment = true }, new PermissionOptions { Enforce = false }, Production);
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public void Dynamic_registration_is_on_by_default_only_in_Development(string environment, string? setting, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:DynamicClientRegistration"] = setting })
            .Build();

        Assert.Equal(expected, SafeDefaults.DynamicClientRegistration(configuration, new Environment(environment)));
    }

    [Fact]
    public void The_request_state_key_is_required_outside_Development_and_the_message_says_how_to_make_one()
    {
        var missing = new RequestStateKeyRequired(Production).Validate(null, new McpProtocolOptions());
        Assert.True(missing.Failed);
        Assert.Contains("Mcp:RequestStateKey is required", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", missing.FailureMessage, StringComparison.Ordinal);

        Assert.True(new RequestStateKeyRequired(Production).Validate(null, new McpProtocolOptions { RequestStateKey = Convert.ToBase64String(new byte[32]) }).Succeeded);
        Assert.True(new RequestStateKeyRequired(Development).Validate(null, new McpProtocolOptions()).Succeeded);
    }

    [Fact]
    public void A_registration_access_token_shorter_than_16_characters_is_refused()
    {
        static IEnumerable<string> Errors(AuthOptions options) =>
            options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage!);

        Assert.Contains(Errors(new AuthOptions { RegistrationAccessToken = "short" }), e => e.Contains("Auth:RegistrationAccessToken", StringComparison.Ordinal));
        Assert.DoesNotContain(Errors(new AuthOptions { RegistrationAccessToken = "a-long-enough-initial-token" }), e => e.Contains("RegistrationAccessToken", StringComparison.Ordinal));
    }

    [Fact]
    public void A_token_refused_as_no_longer_valid_is_told_apart_from_an_expired_one_by_its_exp()
    {
        static string Token(DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://desk.example.com/",
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
        });

        Assert.True(TokenStatus.HasExpired(Token(DateTime.UtcNow.AddMinutes(-1))));
        Assert.False(TokenStatus.HasExpired(Token(DateTime.UtcNow.AddMinutes(10))));
        Assert.True(TokenStatus.HasExpired("not a token"));
        Assert.Contains("revoked", TokenRejection.Describe(TokenProblem.Revoked, "r", "i"), StringComparison.Ordinal);
    }
}
