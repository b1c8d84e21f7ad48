using McpCqrs.Application.Common.Interfaces;

namespace McpCqrs.Tests.Unit;

internal sealed class TestUser(string? id = null, string? name = null) : ICurrentUser
{
    public string? Id => id;

    public string? Name => name;

    public bool IsAuthenticated => id is not null;

    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>();

    public IReadOnlySet<string> Roles { get; init; } = new HashSet<string>();

    public string? ClientAddress { get; init; }
}
