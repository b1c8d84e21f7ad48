using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.Catalog;

namespace McpCqrs.Application.Tickets.Commands.CreateTicket;

/// <summary>Opens a new ticket for an existing customer.</summary>
/// <param name="CustomerId">The customer the ticket is raised for.</param>
/// <param name="Title">A one-line summary of the problem.</param>
/// <param name="Description">The problem in detail.</param>
/// <param name="Priority">How urgent it is; <c>Normal</c> when omitted.</param>
/// <param name="Tags">Labels (letters, digits and '-'), at most ten.</param>
[ScopeRequired("tickets:write")]
[McpTool("create_ticket", Title = "Create a ticket")]
public sealed record CreateTicket(
    int CustomerId,
    string Title,
    string? Description = null,
    TicketPriority Priority = TicketPriority.Normal,
    IReadOnlyList<string>? Tags = null) : ICommand<TicketDto>;

public sealed class CreateTicketValidator : AbstractValidator<CreateTicket>
{
    public CreateTicketValidator()
    {
        RuleFor(x => x.CustomerId).GreaterThan(0);
        RuleFor(x => x.Title).NotEmpty().MaximumLength(Ticket.TitleMaxLength);
        RuleFor(x => x.Description).MaximumLength(Ticket.DescriptionMaxLength);
        RuleFor(x => x.Priority).IsInEnum();
        RuleFor(x => x.Tags!).Must(t => t.Count <= Ticket.MaxTags)
            .WithMessage($"At most {Ticket.MaxTags} tags are allowed.")
            .When(x => x.Tags is not null);
        RuleForEach(x => x.Tags)
            .NotEmpty()
            .MaximumLength(Ticket.TagMaxLength)
            .Matches("^[A-Za-z0-9-]+$").WithMessage("A tag may contain only letters, digits and '-'.");
    }
}

public sealed class CreateTicketHandler(IAppDbContext db, TimeProvider clock) : ICommandHandler<CreateTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(CreateTicket command, CancellationToken cancellationToken)
    {
        var customerExists = await db.AnyAsync(db.Customers.Where(c => c.Id == command.CustomerId), cancellationToken);
        if (!customerExists)
        {
            throw new InvalidDomainValueException("customerId", $"Customer '{command.CustomerId}' does not exist.");
        }

        var ticket = Ticket.Create(
            command.CustomerId,
            command.Title,
            command.Description,
            command.Priority,
            command.Tags,
            clock.GetUtcNow().UtcDateTime);
        db.Add(ticket);
        await db.SaveChangesAsync(cancellationToken);
        return await TicketReadModel.GetAsync(db, ticket.Id, cancellationToken);
    }
}
