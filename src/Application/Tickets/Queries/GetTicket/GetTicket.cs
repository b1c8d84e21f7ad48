using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Application.Common;

namespace McpCqrs.Application.Tickets.Queries.GetTicket;

/// <summary>Reads one ticket with its customer and comment thread.</summary>
/// <param name="Id">The ticket's id.</param>
[ScopeRequired("tickets:read")]
[McpTool("get_ticket", Title = "Read a ticket")]
[McpIcon(DeskIcons.Ticket, MimeType = DeskIcons.MimeType, Sizes = "any")]
[McpResource(TicketResources.Template, Name = "ticket", Title = "A ticket with its comments", MimeType = "application/json")]
public sealed record GetTicket(int Id) : IQuery<TicketDto>;

public sealed class GetTicketValidator : AbstractValidator<GetTicket>
{
    public GetTicketValidator() => RuleFor(x => x.Id).GreaterThan(0);
}

public sealed class GetTicketHandler(IAppDbContext db) : IQueryHandler<GetTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(GetTicket query, CancellationToken cancellationToken) =>
        await TicketReadModel.GetAsync(db, query.Id, cancellationToken);
}
