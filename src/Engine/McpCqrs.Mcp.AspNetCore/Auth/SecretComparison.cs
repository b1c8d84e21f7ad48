using System.Security.Cryptography;
using System.Text;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>Compares a secret given by a caller with the expected one in the same time whatever either holds.</summary>
internal static class SecretComparison
{
    /// <summary>Whether <paramref name="given"/> equals <paramref name="expected"/>: their SHA-256 digests compared in constant time (so their lengths do not show either).</summary>
    public static bool Matches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
