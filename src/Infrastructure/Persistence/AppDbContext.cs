using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Customers;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Infrastructure.Persistence;

/// <summary>
/// The EF Core unit of work behind <see cref="IAppDbContext"/>. One subclass per database provider
/// (<see cref="SqliteAppDbContext"/>, <see cref="PostgresAppDbContext"/>) so that each keeps its own migrations.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options), IAppDbContext
{
    public DbSet<Customer> CustomerSet => Set<Customer>();

    public DbSet<Ticket> TicketSet => Set<Ticket>();

    public IQueryable<Customer> Customers => CustomerSet;

    public IQueryable<Ticket> Tickets => TicketSet;

    public IQueryable<Comment> Comments => Set<Comment>();

    public void Add(Customer customer) => CustomerSet.Add(customer);

    public void Add(Ticket ticket) => TicketSet.Add(ticket);

    async Task IAppDbContext.SaveChangesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            throw new BusinessRuleViolationException(
                "conflict.duplicate",
                "The change clashes with an existing record (a value that must be unique is already taken).");
        }
    }

    public Task<List<T>> ToListAsync<T>(IQueryable<T> query, CancellationToken cancellationToken) =>
        EntityFrameworkQueryableExtensions.ToListAsync(query, cancellationToken);

    public Task<T?> FirstOrDefaultAsync<T>(IQueryable<T> query, CancellationToken cancellationToken) =>
        EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(query, cancellationToken);

    public Task<int> CountAsync<T>(IQueryable<T> query, CancellationToken cancellationToken) =>
        EntityFrameworkQueryableExtensions.CountAsync(query, cancellationToken);

    public Task<bool> AnyAsync<T>(IQueryable<T> query, CancellationToken cancellationToken) =>
        EntityFrameworkQueryableExtensions.AnyAsync(query, cancellationToken);

    /// <summary>Whether the provider reports a unique-constraint violation.</summary>
    protected abstract bool IsUniqueViolation(DbUpdateException exception);

    /// <summary>The domain's tables, the engine's MCP tasks, and OpenIddict's (applications, authorizations, scopes, tokens) for the embedded authorization server.</summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        modelBuilder.AddMcpTasks();
        modelBuilder.UseOpenIddict();
    }
}
