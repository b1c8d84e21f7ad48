using McpCqrs.Mcp.Security;

namespace McpCqrs.Tests.Unit;

internal sealed class TestUser(string? id = null, string? name = null) : ICurrentUser
{
    public string? Id => id;

    public string? Name => name;

    public bool IsAuthenticated => id is not null;

    /// <summary>Every scope the sample bindings require, unless a test says otherwise.</summary>
    public static readonly IReadOnlySet<string> SampleScopes = new HashSet<string>(["tickets:read", "tickets:write", "customers:read", "customers:write"]);

    public IReadOnlySet<string> Scopes { get; init; } = SampleScopes;

    public IReadOnlySet<string> Roles { get; init; } = new HashSet<string>();

    public string? ClientAddress { get; init; }
}
