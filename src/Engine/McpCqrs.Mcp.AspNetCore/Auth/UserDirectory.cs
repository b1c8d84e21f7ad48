using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>A signed-in user of the login page, with the scopes they may grant (empty: any the client may ask for).</summary>
public sealed record DirectoryUser(string Id, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

/// <summary>Where the login page checks user names and passwords. Replace it to sign in against a real user store.</summary>
public interface IUserDirectory
{
    ValueTask<DirectoryUser?> SignInAsync(string userName, string password, CancellationToken cancellationToken);

    /// <summary>The user behind an issued token, or null when the account is gone (its refresh tokens then stop working).</summary>
    ValueTask<DirectoryUser?> FindAsync(string id, CancellationToken cancellationToken);
}

/// <summary>The users of <c>Auth:Users</c>: a sample directory for development and tests (passwords compared in constant time).</summary>
internal sealed class ConfiguredUserDirectory(IOptions<AuthOptions> options) : IUserDirectory
{
    public ValueTask<DirectoryUser?> SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var user = options.Value.Users.FirstOrDefault(u => string.Equals(u.UserName, userName, StringComparison.Ordinal));
        var matches = SecretComparison.Matches(password, user?.Password ?? string.Empty);
        return ValueTask.FromResult(user is not null && matches ? ToDirectoryUser(user) : null);
    }

    public ValueTask<DirectoryUser?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var user = options.Value.Users.FirstOrDefault(u => string.Equals(u.UserName, id, StringComparison.Ordinal));
        return ValueTask.FromResult(user is null ? null : ToDirectoryUser(user));
    }

    private static DirectoryUser ToDirectoryUser(UserDefinition user) =>
        new(user.UserName, user.DisplayName ?? user.UserName, user.Roles, user.Scopes);
}
