using Mediator;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp;
using McpCqrs.Mcp.External;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Mcp;

/// <summary>A tool that says nothing about who may call it.</summary>
public sealed record OpenDoor(string Door) : ICommand<string>;

/// <summary>A resource that says nothing about who may read it.</summary>
public sealed record ReadDoor(int Id) : IQuery<string>;

/// <summary>A prompt that says nothing about who may get it.</summary>
public sealed record DoorPrompt : IQuery<string>;

/// <summary>A prompt whose permission is on its request type.</summary>
[ScopeRequired("doors:read")]
public sealed record GuardedDoorPrompt : IQuery<string>;

internal sealed class DoorHandlers
    : ICommandHandler<OpenDoor, string>, IQueryHandler<ReadDoor, string>, IQueryHandler<DoorPrompt, string>, IQueryHandler<GuardedDoorPrompt, string>
{
    public ValueTask<string> Handle(OpenDoor command, CancellationToken cancellationToken) => ValueTask.FromResult("open");

    public ValueTask<string> Handle(ReadDoor query, CancellationToken cancellationToken) => ValueTask.FromResult("door");

    public ValueTask<string> Handle(DoorPrompt query, CancellationToken cancellationToken) => ValueTask.FromResult("prompt");

    public ValueTask<string> Handle(GuardedDoorPrompt query, CancellationToken cancellationToken) => ValueTask.FromResult("prompt");
}

/// <summary>
/// The permission guardrail at start: outside Development a binding that declares no permission and is not marked
/// public stops the start, naming each such binding; in Development, or once each binding says who may call it (an
/// attribute, configuration only, or <c>Public = true</c>), the host starts. The sample's own bindings all declare one
/// (every other test host starts in Production with them).
/// </summary>
public sealed class PermissionGuardTests
{
    private static void AddDoors(IServiceCollection services, bool markPublic)
    {
        services.AddScoped<ICommandHandler<OpenDoor, string>, DoorHandlers>();
        services.AddScoped<IQueryHandler<ReadDoor, string>, DoorHandlers>();
        services.AddScoped<IQueryHandler<DoorPrompt, string>, DoorHandlers>();
        services.AddScoped<IQueryHandler<GuardedDoorPrompt, string>, DoorHandlers>();
        services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<OpenDoor, string>("open_door", r => r with { Public = markPublic })
            .AddExternalResource<ReadDoor, string>("doors://{id}", r => r with { Public = markPublic })
            .AddExternalPrompt<DoorPrompt, string>("door_prompt", p => p with { Public = markPublic })
            .AddExternalPrompt<GuardedDoorPrompt, string>("guarded_door_prompt"));
    }

    /// <summary>A Production host (the test hosts' default) on SQLite with the door bindings.</summary>
    private static Task<TestHost> StartAsync(bool markPublic = false, IDictionary<string, string?>? more = null) =>
        TestHost.StartOnSqliteAsync(services => AddDoors(services, markPublic), more);

    private static async Task AssertServesAsync(TestHost host) =>
        Assert.True((await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative))).IsSuccessStatusCode);

    [Fact]
    public async Task Outside_Development_bindings_without_a_permission_stop_the_start_naming_each_and_what_to_do()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync());

        Assert.Contains("tool 'open_door'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("resource 'doors://{id}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("prompt 'door_prompt'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("guarded_door_prompt", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("list_tickets", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Authorization:Bindings:OpenDoor", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Public = true", refused.Message, StringComparison.Ordinal);

        // The test hosts run AllowAny: the error says the declaration is still required.
        Assert.Contains("AllowAny", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Development_the_same_bindings_start()
    {
        var folder = Directory.CreateTempSubdirectory("mcpcqrs-guard-").FullName;
        try
        {
            await using var host = await TestHost.StartAsync(
                new Dictionary<string, string?> { ["ConnectionStrings:Default"] = string.Empty, ["Database:SqlitePath"] = Path.Combine(folder, "desk.db") },
                "Development",
                services => AddDoors(services, markPublic: false));

            await AssertServesAsync(host);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Bindings_marked_public_start_outside_Development()
    {
        await using var host = await StartAsync(markPublic: true);

        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Bindings_permitted_by_configuration_only_start_outside_Development()
    {
        await using var host = await StartAsync(more: new Dictionary<string, string?>
        {
            ["Authorization:Bindings:OpenDoor:Scopes:0"] = "doors:write",
            ["Authorization:Bindings:ReadDoor:Roles:0"] = "porter",
            ["Authorization:Bindings:DoorPrompt:Scopes:0"] = "doors:read",
        });

        await AssertServesAsync(host);
    }
}
