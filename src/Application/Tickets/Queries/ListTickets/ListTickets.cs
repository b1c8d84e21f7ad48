using FluentValidation;
using FluentValidation.Results;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Querying;
using McpCqrs.Mcp.Apps;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Output;
using McpCqrs.Domain.Tickets;
using McpCqrs.Application.Common;

namespace McpCqrs.Application.Tickets.Queries.ListTickets;

/// <summary>
/// Finds tickets with a Gridify filter (e.g. <c>status=Open,priority&gt;=High</c>), in a chosen order, one page at a
/// time. Without an order, the most recently updated come first.
/// </summary>
/// <param name="Filter">Which tickets: Gridify syntax over the fields described here.</param>
/// <param name="OrderBy">In which order, e.g. "priority desc, createdAt".</param>
/// <param name="Page">The 1-based page number.</param>
/// <param name="PageSize">Tickets per page.</param>
/// <param name="Status">Shortcut: only tickets in this status.</param>
/// <param name="Priority">Shortcut: only tickets of this priority.</param>
/// <param name="CustomerId">Shortcut: only this customer's tickets.</param>
/// <param name="Assignee">Shortcut: only tickets assigned to this agent.</param>
[ScopeRequired("tickets:read")]
[McpIcon(DeskIcons.Ticket, MimeType = DeskIcons.MimeType, Sizes = "any")]
[McpAppView("ui://desk/ticket-board")]
[McpSelector("list_tickets", Title = "Find tickets", Fields = typeof(TicketFields), Output = OutputFormat.Toon)]
public sealed record ListTickets(
    string? Filter = null,
    string? OrderBy = null,
    int Page = 1,
    int PageSize = ListTickets.DefaultPageSize,
    TicketStatus? Status = null,
    TicketPriority? Priority = null,
    int? CustomerId = null,
    string? Assignee = null) : IQuery<Page<TicketSummaryDto>>, ISelectorQuery
{
    public const int DefaultPageSize = 20;
}

/// <summary>What tickets can be filtered and ordered by: the whitelist of <see cref="ListTickets"/>.</summary>
public static class TicketFields
{
    public static FieldMap<Ticket> Map { get; } = new FieldMap<Ticket>()
        .Map("id", t => t.Id)
        .Map("title", t => t.Title)
        .Map("description", t => t.Description)
        .Map("status", t => t.Status, "Open, InProgress, WaitingOnCustomer, Resolved or Closed")
        .Map("priority", t => t.Priority, "Low < Normal < High < Urgent")
        .Map("assignee", t => t.Assignee, "the agent's user name; null when unassigned")
        .Map("tags", t => t.Tags)
        .Map("customerId", t => t.CustomerId)
        .Map("customer.name", t => t.Customer!.Name)
        .Map("customer.email", t => t.Customer!.Email)
        .Map("createdAt", t => t.CreatedAt)
        .Map("updatedAt", t => t.UpdatedAt)
        .Map("closedAt", t => t.ClosedAt)
        .OrderByDefault("updatedAt desc");
}

/// <summary>
/// The rules of <see cref="ListTickets"/>. They depend only on the query engine and the page-size bound, both
/// singletons, yet a validator with constructor dependencies is made for each call: so the rules are built
/// once per (engine, options) pair and shared, and each instance only points at them (building an
/// <see cref="AbstractValidator{T}"/> — expression trees, one rule object per property — on every call cost more than
/// running it).
/// </summary>
public sealed class ListTicketsValidator(IQueryEngine engine, QueryingOptions options) : IValidator<ListTickets>
{
    private static Shared? s_last;

    private readonly IValidator<ListTickets> _rules = RulesFor(engine, options);

    public ValidationResult Validate(ListTickets instance) => _rules.Validate(instance);

    public Task<ValidationResult> ValidateAsync(ListTickets instance, CancellationToken cancellation = default) =>
        _rules.ValidateAsync(instance, cancellation);

    public ValidationResult Validate(IValidationContext context) => _rules.Validate(context);

    public Task<ValidationResult> ValidateAsync(IValidationContext context, CancellationToken cancellation = default) =>
        _rules.ValidateAsync(context, cancellation);

    public IValidatorDescriptor CreateDescriptor() => _rules.CreateDescriptor();

    public bool CanValidateInstancesOfType(Type type) => _rules.CanValidateInstancesOfType(type);

    private static InlineValidator<ListTickets> RulesFor(IQueryEngine engine, QueryingOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        var last = s_last;
        if (last is not null && ReferenceEquals(last.Engine, engine) && last.MaxPageSize == options.MaxPageSize)
        {
            return last.Rules;
        }

        var rules = new InlineValidator<ListTickets>();
        rules.RuleFor(x => x.Page).GreaterThanOrEqualTo(1);
        rules.RuleFor(x => x.PageSize).InclusiveBetween(1, options.MaxPageSize);
        rules.RuleFor(x => x.Status).IsInEnum();
        rules.RuleFor(x => x.Priority).IsInEnum();
        rules.RuleFor(x => x.CustomerId).GreaterThan(0);
        rules.RuleFor(x => x.Assignee).MaximumLength(Ticket.AssigneeMaxLength);
        rules.RuleFor(x => x).Custom((query, context) =>
        {
            if (engine.Validate(query.Filter, query.OrderBy, TicketFields.Map).Error is { } error)
            {
                context.AddFailure(new ValidationFailure(error.InputKind, error.Message) { ErrorCode = "syntax" });
            }
        });
        s_last = new Shared(engine, options.MaxPageSize, rules);
        return rules;
    }

    private sealed record Shared(IQueryEngine Engine, int MaxPageSize, InlineValidator<ListTickets> Rules);
}

public sealed class ListTicketsHandler(IAppDbContext db, IQueryEngine engine) : IQueryHandler<ListTickets, Page<TicketSummaryDto>>
{
    public async ValueTask<Page<TicketSummaryDto>> Handle(ListTickets query, CancellationToken cancellationToken)
    {
        var tickets = engine.Filter(db.Tickets, query.Filter, TicketFields.Map);
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

        // The page and the total in one statement; a page past the end carries no total, and only then is it counted apart.
        var page = engine.Order(tickets, query.OrderBy, TicketFields.Map, t => t.Id).Page(query.Page, query.PageSize);
        var rows = await db.ToListAsync(TicketReadModel.Summaries(page).WithTotal(tickets), cancellationToken);
        return rows.ToPage(query.Page, query.PageSize)
            ?? rows.ToPage(query.Page, query.PageSize, await db.CountAsync(tickets, cancellationToken));
    }
}
