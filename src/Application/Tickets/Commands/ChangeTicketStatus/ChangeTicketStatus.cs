using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Application.Tickets.Commands.ChangeTicketStatus;

/// <summary>Moves a ticket to another status. A closed ticket can only be reopened.</summary>
/// <param name="TicketId">The ticket to change.</param>
/// <param name="Status">The new status.</param>
[ScopeRequired("tickets:write")]
[McpTool("change_ticket_status", Title = "Change a ticket's status", Idempotent = true)]
public sealed record ChangeTicketStatus(int TicketId, TicketStatus Status) : ICommand<TicketDto>, IChangesResources
{
    public IEnumerable<string> ResourcesChangedBy(object? result) => [TicketResources.Uri(TicketId)];
}

public sealed class ChangeTicketStatusValidator : AbstractValidator<ChangeTicketStatus>
{
    public ChangeTicketStatusValidator()
    {
        RuleFor(x => x.TicketId).GreaterThan(0);
        RuleFor(x => x.Status).IsInEnum();
    }
}

public sealed class ChangeTicketStatusHandler(IAppDbContext db, TimeProvider clock)
    : ICommandHandler<ChangeTicketStatus, TicketDto>
{
    public async ValueTask<TicketDto> Handle(ChangeTicketStatus command, CancellationToken cancellationToken)
    {
        var ticket = await TicketReadModel.LoadAsync(db, command.TicketId, cancellationToken);
        ticket.ChangeStatus(command.Status, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return await TicketReadModel.GetAsync(db, ticket.Id, cancellationToken);
    }
}
