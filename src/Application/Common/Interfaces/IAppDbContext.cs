using McpCqrs.Domain.Customers;
using McpCqrs.Domain.Tickets;

namespace McpCqrs.Application.Common.Interfaces;

/// <summary>
/// The application's unit of work. Queries are plain <see cref="IQueryable{T}"/> (translated to SQL by the
/// provider behind it); the asynchronous terminal operators live here so that handlers need no reference to a
/// persistence library. Changes to entities read from <see cref="Customers"/> or <see cref="Tickets"/> are
/// tracked and written by <see cref="SaveChangesAsync"/>.
/// </summary>
public interface IAppDbContext
{
    IQueryable<Customer> Customers { get; }

    IQueryable<Ticket> Tickets { get; }

    IQueryable<Comment> Comments { get; }

    void Add(Customer customer);

    void Add(Ticket ticket);

    /// <summary>Writes all pending changes. A unique-key clash surfaces as a domain conflict, not a database error.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    Task<List<T>> ToListAsync<T>(IQueryable<T> query, CancellationToken cancellationToken);

    Task<T?> FirstOrDefaultAsync<T>(IQueryable<T> query, CancellationToken cancellationToken);

    Task<int> CountAsync<T>(IQueryable<T> query, CancellationToken cancellationToken);

    Task<bool> AnyAsync<T>(IQueryable<T> query, CancellationToken cancellationToken);
}
