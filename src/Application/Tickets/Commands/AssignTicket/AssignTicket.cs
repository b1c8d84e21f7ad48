using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Application.Tickets.Commands.AssignTicket;

/// <summary>Assigns a ticket to a support agent, or unassigns it when <paramref name="Assignee"/> is null.</summary>
/// <param name="TicketId">The ticket to assign.</param>
/// <param name="Assignee">The agent's user name; <c>null</c> unassigns.</param>
[ScopeRequired("tickets:write")]
[McpTool("assign_ticket", Title = "Assign a ticket", Idempotent = true)]
public sealed record AssignTicket(int TicketId, string? Assignee) : ICommand<TicketDto>, IChangesResources
{
    public IEnumerable<string> ResourcesChangedBy(object? result) => [TicketResources.Uri(TicketId)];
}

public sealed class AssignTicketValidator : AbstractValidator<AssignTicket>
{
    public AssignTicketValidator()
    {
        RuleFor(x => x.TicketId).GreaterThan(0);
        RuleFor(x => x.Assignee).MaximumLength(Ticket.AssigneeMaxLength);
    }
}

public sealed class AssignTicketHandler(IAppDbContext db, TimeProvider clock) : ICommandHandler<AssignTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(AssignTicket command, CancellationToken cancellationToken)
    {
        var ticket = await TicketReadModel.LoadAsync(db, command.TicketId, cancellationToken);
        ticket.AssignTo(command.Assignee, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return await TicketReadModel.GetAsync(db, ticket.Id, cancellationToken);
    }
}
