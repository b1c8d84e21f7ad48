using McpCqrs.Mcp.AspNetCore.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Validation.AspNetCore;

namespace McpCqrs.Tests.Unit.Auth;

/// <summary>What a 401 says about a refused token, from JwtBearer's exceptions and OpenIddict's error URIs alike.</summary>
public sealed class TokenRejectionTests
{
    public static TheoryData<Exception, TokenProblem> Exceptions => new()
    {
        { new SecurityTokenExpiredException(), TokenProblem.Expired },
        { new SecurityTokenNotYetValidException(), TokenProblem.NotYetValid },
        { new SecurityTokenInvalidIssuerException(), TokenProblem.Issuer },
        { new SecurityTokenInvalidAudienceException(), TokenProblem.Audience },
        { new SecurityTokenSignatureKeyNotFoundException(), TokenProblem.Signature },
        { new SecurityTokenInvalidSignatureException(), TokenProblem.Signature },
        { new SecurityTokenInvalidTypeException(), TokenProblem.Type },
        { new AggregateException(new SecurityTokenExpiredException()), TokenProblem.Expired },
        { new SecurityTokenMalformedException(), TokenProblem.Invalid },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void A_JwtBearer_failure_is_classified_by_its_exception(Exception failure, TokenProblem problem) =>
        Assert.Equal(problem, TokenRejection.ProblemOf(AuthenticateResult.Fail(failure)));

    [Theory]
    [InlineData("ID2019", TokenProblem.Expired)]
    [InlineData("ID2088", TokenProblem.Issuer)]
    [InlineData("ID2094", TokenProblem.Audience)]
    [InlineData("ID2091", TokenProblem.Signature)]
    [InlineData("ID2004", TokenProblem.Invalid)]
    public void An_OpenIddict_failure_is_classified_by_its_error_uri(string id, TokenProblem problem)
    {
        var properties = new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictValidationAspNetCoreConstants.Properties.ErrorUri] = "https://documentation.openiddict.com/errors/" + id,
        });

        Assert.Equal(problem, TokenRejection.ProblemOf(AuthenticateResult.Fail("refused", properties)));
    }

    [Fact]
    public void Each_description_says_what_was_wrong_and_names_only_the_public_resource_and_issuer()
    {
        var descriptions = Enum.GetValues<TokenProblem>().Select(p => TokenRejection.Describe(p, "https://desk.example.com/mcp", "https://login.example.com/")).ToList();

        Assert.Equal(descriptions.Count, descriptions.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("expired", TokenRejection.Describe(TokenProblem.Expired, "r", "i"), StringComparison.Ordinal);
        Assert.Contains("https://desk.example.com/mcp", TokenRejection.Describe(TokenProblem.Audience, "https://desk.example.com/mcp", "i"), StringComparison.Ordinal);
        Assert.Contains("https://login.example.com/", TokenRejection.Describe(TokenProblem.Issuer, "r", "https://login.example.com/"), StringComparison.Ordinal);
        Assert.Contains("signature", TokenRejection.Describe(TokenProblem.Signature, "r", "i"), StringComparison.Ordinal);
    }
}
