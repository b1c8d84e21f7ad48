using McpCqrs.Mcp.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Mcp.EntityFrameworkCore;

public static class McpEntityFrameworkCoreExtensions
{
    /// <summary>
    /// Keeps the engine's durable state in <typeparamref name="TContext"/> (registered by the application, e.g. with
    /// <c>AddDbContextPool</c>): MCP tasks (<see cref="EfMcpTaskStore"/>) and, for the embedded authorization server,
    /// OpenIddict's applications, authorizations, scopes and tokens. The context's model must include them: call
    /// <see cref="McpModelBuilderExtensions.AddMcpTasks"/> and OpenIddict's <c>UseOpenIddict()</c> in its
    /// <c>OnModelCreating</c>, then add a migration.
    /// </summary>
    public static McpBuilder UseEntityFrameworkCore<TContext>(this McpBuilder mcp)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(mcp);
        mcp.EnsureOpen(nameof(UseEntityFrameworkCore));
        mcp.Services.TryAddSingleton(TimeProvider.System);
        mcp.Services.TryAddScoped<IMcpTaskStore>(sp => new EfMcpTaskStore(sp.GetRequiredService<TContext>(), sp.GetRequiredService<TimeProvider>()));
        mcp.Services.AddOpenIddict().AddCore(core => core.UseEntityFrameworkCore().UseDbContext<TContext>());
        return mcp;
    }
}

public static class McpModelBuilderExtensions
{
    /// <summary>The tables of MCP tasks (<c>McpTasks</c>, <c>McpTaskInputRequests</c>).</summary>
    public static ModelBuilder AddMcpTasks(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new McpTaskConfiguration());
        modelBuilder.ApplyConfiguration(new McpTaskInputRequestConfiguration());
        return modelBuilder;
    }
}
