using System.Security.Claims;
using System.Text.Json;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// Bound from <c>Auth:Claims</c>: which claims of an access token hold the caller's id, name, scopes and roles. The
/// defaults read the tokens of the common identity providers and of the embedded server; a list that is set replaces
/// its default.
/// </summary>
public sealed class ClaimMappingOptions
{
    public static readonly IReadOnlyList<string> DefaultScopes = ["scope", "scp"];

    public static readonly IReadOnlyList<string> DefaultRoles = ["roles", "role"];

    /// <summary>
    /// Claims whose values are OAuth scopes: a space-separated string or an array. Default <c>scope</c>, <c>scp</c>;
    /// add e.g. <c>permissions</c> to take an identity provider's permission list as scopes.
    /// </summary>
    public List<string>? Scopes { get; set; }

    /// <summary>Claims whose values are roles: a string or an array. Default <c>roles</c>, <c>role</c>.</summary>
    public List<string>? Roles { get; set; }

    /// <summary>
    /// A further place for roles inside a JSON claim, as a dotted path whose first segment is the claim name, e.g.
    /// <c>realm_access.roles</c> or <c>resource_access.my-api.roles</c>; the value there is a string or an array.
    /// </summary>
    public string? RolesPath { get; set; }

    /// <summary>The claim that is the caller's stable id (session and task ownership). Default <c>sub</c>.</summary>
    public string Subject { get; set; } = "sub";

    /// <summary>The claim shown as the caller's name. Default <c>name</c> (e.g. <c>preferred_username</c> for some providers).</summary>
    public string Name { get; set; } = "name";

    internal IReadOnlyList<string> ScopeClaims => Scopes is { Count: > 0 } ? Scopes : DefaultScopes;

    internal IReadOnlyList<string> RoleClaims => Roles is { Count: > 0 } ? Roles : DefaultRoles;
}

/// <summary>
/// Reads a principal's id, name, scopes and roles through <see cref="ClaimMappingOptions"/>, whatever validated the
/// token (the embedded server, an external one by its keys, or introspection).
/// </summary>
public sealed class ClaimMapper(ClaimMappingOptions options)
{
    // Auth:Claims:RolesPath split once: the claim that holds the JSON, and the path inside it.
    private readonly (string Claim, string[] Inside)? _rolesPath = options.RolesPath is { Length: > 0 } path && path.Split('.') is [var claim, .. var inside]
        ? (claim, inside)
        : null;

    public string? SubjectOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(options.Subject) ?? principal.FindFirstValue(ClaimTypes.NameIdentifier);

    public string? NameOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(options.Name) ?? principal.Identity?.Name;

    /// <summary>Every scope in the scope claims: each value split on spaces (an array arrives as one claim per element).</summary>
    public HashSet<string> ScopesOf(ClaimsPrincipal principal)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in options.ScopeClaims)
        {
            foreach (var claim in principal.FindAll(type))
            {
                foreach (var value in ValuesOf(claim))
                {
                    scopes.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                }
            }
        }

        return scopes;
    }

    /// <summary>Every role in the role claims, in <see cref="ClaimTypes.Role"/> claims and at the roles path.</summary>
    public HashSet<string> RolesOf(ClaimsPrincipal principal)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in options.RoleClaims.Append(ClaimTypes.Role))
        {
            foreach (var claim in principal.FindAll(type))
            {
                roles.UnionWith(ValuesOf(claim));
            }
        }

        if (_rolesPath is { } rolesPath)
        {
            foreach (var claim in principal.FindAll(rolesPath.Claim))
            {
                roles.UnionWith(AtPath(claim.Value, rolesPath.Inside));
            }
        }

        roles.Remove(string.Empty);
        return roles;
    }

    /// <summary>A claim's values: itself, or the strings of a JSON array when it holds one.</summary>
    private static IEnumerable<string> ValuesOf(Claim claim) =>
        claim.Value.StartsWith('[') ? StringsOf(claim.Value, []) : [claim.Value];

    /// <summary>The string or strings at <paramref name="path"/> inside a JSON object claim.</summary>
    private static IEnumerable<string> AtPath(string json, string[] path) =>
        json.StartsWith('{') ? StringsOf(json, path) : [];

    private static List<string> StringsOf(string json, string[] path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var element = document.RootElement;
            foreach (var segment in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
                {
                    return [];
                }
            }

            return element.ValueKind switch
            {
                JsonValueKind.String => [element.GetString()!],
                JsonValueKind.Array => [.. element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
                _ => [],
            };
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
