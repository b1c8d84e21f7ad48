using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Resources;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;

namespace McpCqrs.Application.Tickets.Commands.CloseTicket;

/// <summary>
/// Closes a ticket with a resolution note. When the ticket has a comment thread, the user is asked to confirm
/// first (over MCP, if the client can ask its user); declining leaves the ticket as it was.
/// </summary>
/// <param name="TicketId">The ticket to close.</param>
/// <param name="Resolution">How the problem was solved; added to the thread.</param>
// A person may take a while to confirm, so the call may run longer than the server's dispatch timeout.
[ScopeRequired("tickets:write")]
[McpTool("close_ticket", Title = "Close a ticket", Destructive = true, TimeoutSeconds = 600)]
public sealed record CloseTicket(int TicketId, string Resolution) : ICommand<TicketDto>, IChangesResources
{
    public IEnumerable<string> ResourcesChangedBy(object? result) => [TicketResources.Uri(TicketId)];
}

public sealed class CloseTicketValidator : AbstractValidator<CloseTicket>
{
    public CloseTicketValidator()
    {
        RuleFor(x => x.TicketId).GreaterThan(0);
        RuleFor(x => x.Resolution).NotEmpty().MaximumLength(Comment.BodyMaxLength);
    }
}

public sealed class CloseTicketHandler(IAppDbContext db, ICurrentUser user, IClientInput input, TimeProvider clock)
    : ICommandHandler<CloseTicket, TicketDto>
{
    public const string ConfirmationKey = "confirm_close";

    public async ValueTask<TicketDto> Handle(CloseTicket command, CancellationToken cancellationToken)
    {
        var ticket = await TicketReadModel.GetAsync(db, command.TicketId, cancellationToken);
        if (ticket.Status == TicketStatus.Closed)
        {
            return ticket;
        }

        // Ask before anything changes: in the stateless era this handler runs again with the answer.
        if (ticket.Comments.Count > 0 && input.CanElicit && !await input.ConfirmAsync(
            ConfirmationKey,
            $"Close ticket {ticket.Id} \"{ticket.Title}\"? It has {ticket.Comments.Count} comment(s); closing ends the conversation with the customer.",
            "Close the ticket",
            cancellationToken))
        {
            throw new BusinessRuleViolationException("ticket.close_declined", $"Closing ticket {ticket.Id} was not confirmed; it stays {ticket.Status}.");
        }

        var entity = await TicketReadModel.LoadAsync(db, command.TicketId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        entity.AddComment(user.Name ?? user.Id ?? AddComment.AddCommentHandler.AnonymousAuthor, $"Resolution: {command.Resolution}", false, now);
        entity.ChangeStatus(TicketStatus.Closed, now);
        await db.SaveChangesAsync(cancellationToken);
        return await TicketReadModel.GetAsync(db, entity.Id, cancellationToken);
    }
}
