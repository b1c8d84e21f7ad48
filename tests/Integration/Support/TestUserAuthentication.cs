using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Integration.Support;

/// <summary>Authenticates whoever the <c>X-Test-User</c> header names (tests only); no header, no principal.</summary>
public sealed class TestUserAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestUser";
    public const string Header = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[Header].ToString() is not { Length: > 0 } user)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim("sub", user), new Claim("name", user)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}


public static class TestUserAuthenticationExtensions
{
    /// <summary>Authenticates requests by their <c>X-Test-User</c> header on a test host.</summary>
    public static IServiceCollection AddTestUserAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(TestUserAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestUserAuthentication>(TestUserAuthentication.SchemeName, null);
        return services;
    }
}
