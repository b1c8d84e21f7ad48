using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Application.Common;

namespace McpCqrs.Application.Tickets.Queries.TriageTicket;

/// <summary>Asks the model to triage a ticket: the ticket itself is embedded as a resource, with the desk's triage rules.</summary>
/// <param name="TicketId">The ticket to triage.</param>
[ScopeRequired("tickets:read")]
[McpIcon(DeskIcons.Ticket, MimeType = DeskIcons.MimeType, Sizes = "any")]
[McpPrompt("triage_ticket", Title = "Triage a ticket")]
public sealed record TriageTicket(int TicketId) : IQuery<PromptContent>;

public sealed class TriageTicketValidator : AbstractValidator<TriageTicket>
{
    public TriageTicketValidator() => RuleFor(x => x.TicketId).GreaterThan(0);
}

public sealed class TriageTicketHandler(IAppDbContext db) : IQueryHandler<TriageTicket, PromptContent>
{
    public async ValueTask<PromptContent> Handle(TriageTicket query, CancellationToken cancellationToken)
    {
        var ticket = await TicketReadModel.GetAsync(db, query.TicketId, cancellationToken);
        var uri = TicketResources.Uri(ticket.Id);
        return new PromptContent(
            [
                PromptContent.Resource(uri, "application/json", System.Text.Json.JsonSerializer.Serialize(ticket, AppJson.Options)),
                PromptContent.Text(
                    $"Triage the ticket above ({uri}). Decide its priority (Low, Normal, High, Urgent) from the customer impact, " +
                    "suggest who should own it if it is unassigned, list what information is missing, and draft a short first reply " +
                    "to the customer. Use the tools change_ticket_status, assign_ticket and add_comment to act on your decision."),
            ],
            $"Triage of ticket {ticket.Id}: {ticket.Title}");
    }
}
