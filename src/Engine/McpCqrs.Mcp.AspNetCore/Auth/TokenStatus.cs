namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>Tells a revoked access token from an expired one, which OpenIddict refuses with the same reason.</summary>
internal static class TokenStatus
{
    /// <summary>
    /// Whether an access token refused as expired or no longer valid has in fact expired: its <c>exp</c>, read without
    /// validation (the token was already refused; this only chooses the words of the refusal).
    /// </summary>
    public static bool HasExpired(string token)
    {
        try
        {
            var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token);
            return jwt.ValidTo == DateTime.MinValue || jwt.ValidTo <= DateTime.UtcNow;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
