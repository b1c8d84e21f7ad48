using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Common.Models;
using McpCqrs.Domain.Tickets;
using McpCqrs.Application.Mcp.Catalog;

namespace McpCqrs.Application.Tickets.Queries.ListTickets;

/// <summary>Lists tickets, most recently updated first, optionally narrowed by status, priority, customer or assignee.</summary>
/// <param name="Status">Only tickets in this status.</param>
/// <param name="Priority">Only tickets of this priority.</param>
/// <param name="CustomerId">Only this customer's tickets.</param>
/// <param name="Assignee">Only tickets assigned to this agent.</param>
/// <param name="Page">The 1-based page number.</param>
/// <param name="PageSize">Items per page (1–100).</param>
[McpTool("list_tickets", Title = "List tickets")]
public sealed record ListTickets(
    TicketStatus? Status = null,
    TicketPriority? Priority = null,
    int? CustomerId = null,
    string? Assignee = null,
    int Page = 1,
    int PageSize = ListTickets.DefaultPageSize) : IQuery<Page<TicketSummaryDto>>
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
}

public sealed class ListTicketsValidator : AbstractValidator<ListTickets>
{
    public ListTicketsValidator()
    {
        RuleFor(x => x.Status).IsInEnum();
        RuleFor(x => x.Priority).IsInEnum();
        RuleFor(x => x.CustomerId).GreaterThan(0);
        RuleFor(x => x.Assignee).MaximumLength(Ticket.AssigneeMaxLength);
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1);
        RuleFor(x => x.PageSize).InclusiveBetween(1, ListTickets.MaxPageSize);
    }
}

public sealed class ListTicketsHandler(IAppDbContext db) : IQueryHandler<ListTickets, Page<TicketSummaryDto>>
{
    public async ValueTask<Page<TicketSummaryDto>> Handle(ListTickets query, CancellationToken cancellationToken)
    {
        var tickets = db.Tickets;
        if (query.Status is { } status)
        {
            tickets = tickets.Where(t => t.Status == status);
        }

        if (query.Priority is { } priority)
        {
            tickets = tickets.Where(t => t.Priority == priority);
        }

        if (query.CustomerId is { } customerId)
        {
            tickets = tickets.Where(t => t.CustomerId == customerId);
        }

        if (query.Assignee is { } assignee)
        {
            tickets = tickets.Where(t => t.Assignee == assignee);
        }

        var total = await db.CountAsync(tickets, cancellationToken);
        var page = tickets
            .OrderByDescending(t => t.UpdatedAt)
            .ThenByDescending(t => t.Id)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize);
        var items = await db.ToListAsync(TicketReadModel.Summaries(page), cancellationToken);
        return new Page<TicketSummaryDto>(items, query.Page, query.PageSize, total);
    }
}
