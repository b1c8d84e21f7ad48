using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Domain.Tickets;

namespace McpCqrs.Application.Tickets;

public sealed record CommentDto(int Id, string Author, string Body, bool IsInternal, DateTime CreatedAt);

/// <summary>A ticket with its customer's name and its whole comment thread.</summary>
public sealed record TicketDto(
    int Id,
    int CustomerId,
    string CustomerName,
    string Title,
    string? Description,
    TicketStatus Status,
    TicketPriority Priority,
    string? Assignee,
    IReadOnlyList<string> Tags,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ClosedAt,
    IReadOnlyList<CommentDto> Comments);

/// <summary>A ticket as it appears in a list: no description, no comments.</summary>
public sealed record TicketSummaryDto(
    int Id,
    int CustomerId,
    string CustomerName,
    string Title,
    TicketStatus Status,
    TicketPriority Priority,
    string? Assignee,
    IReadOnlyList<string> Tags,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>The read side of tickets: projections that the database answers in one query each.</summary>
internal static class TicketReadModel
{
    /// <summary>Projects <paramref name="tickets"/>; filter and order them before, the projection is not filterable.</summary>
    public static IQueryable<TicketDto> Details(IQueryable<Ticket> tickets) =>
        tickets.Select(t => new TicketDto(
            t.Id,
            t.CustomerId,
            t.Customer!.Name,
            t.Title,
            t.Description,
            t.Status,
            t.Priority,
            t.Assignee,
            t.Tags,
            t.CreatedAt,
            t.UpdatedAt,
            t.ClosedAt,
            t.Comments
                .OrderBy(m => m.CreatedAt)
                .ThenBy(m => m.Id)
                .Select(m => new CommentDto(m.Id, m.Author, m.Body, m.IsInternal, m.CreatedAt))
                .ToList()));

    /// <summary>Projects <paramref name="tickets"/>; filter, order and page them before, the projection is not filterable.</summary>
    public static IQueryable<TicketSummaryDto> Summaries(IQueryable<Ticket> tickets) =>
        tickets.Select(t => new TicketSummaryDto(
            t.Id, t.CustomerId, t.Customer!.Name, t.Title, t.Status, t.Priority, t.Assignee, t.Tags, t.CreatedAt, t.UpdatedAt));

    /// <summary>Reads one ticket's details; a missing ticket is a domain <c>ticket.not_found</c>.</summary>
    public static async Task<TicketDto> GetAsync(IAppDbContext db, int id, CancellationToken cancellationToken) =>
        await db.FirstOrDefaultAsync(Details(db.Tickets.Where(t => t.Id == id)), cancellationToken)
        ?? throw new Domain.Common.EntityNotFoundException("Ticket", id);

    /// <summary>Loads a ticket for a change; a missing ticket is a domain <c>ticket.not_found</c>.</summary>
    public static async Task<Ticket> LoadAsync(IAppDbContext db, int id, CancellationToken cancellationToken) =>
        await db.FirstOrDefaultAsync(db.Tickets.Where(t => t.Id == id), cancellationToken)
        ?? throw new Domain.Common.EntityNotFoundException("Ticket", id);
}
