using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Domain.Tickets;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Resources;

namespace McpCqrs.Application.Tickets.Commands.AddComment;

/// <summary>Adds a comment to a ticket's thread, written by the current user.</summary>
/// <param name="TicketId">The ticket to comment on.</param>
/// <param name="Body">The comment's text.</param>
/// <param name="IsInternal">True for a note visible to support staff only.</param>
[ScopeRequired("tickets:write")]
[McpTool("add_comment", Title = "Comment on a ticket")]
public sealed record AddComment(int TicketId, string Body, bool IsInternal = false) : ICommand<CommentDto>, IChangesResources
{
    public IEnumerable<string> ResourcesChangedBy(object? result) => [TicketResources.Uri(TicketId)];
}

public sealed class AddCommentValidator : AbstractValidator<AddComment>
{
    public AddCommentValidator()
    {
        RuleFor(x => x.TicketId).GreaterThan(0);
        RuleFor(x => x.Body).NotEmpty().MaximumLength(Comment.BodyMaxLength);
    }
}

public sealed class AddCommentHandler(IAppDbContext db, ICurrentUser user, TimeProvider clock)
    : ICommandHandler<AddComment, CommentDto>
{
    /// <summary>The author recorded when the caller is anonymous (development back-ends only).</summary>
    public const string AnonymousAuthor = "anonymous";

    public async ValueTask<CommentDto> Handle(AddComment command, CancellationToken cancellationToken)
    {
        var ticket = await TicketReadModel.LoadAsync(db, command.TicketId, cancellationToken);
        var author = user.Name ?? user.Id ?? AnonymousAuthor;
        var comment = ticket.AddComment(author, command.Body, command.IsInternal, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return new CommentDto(comment.Id, comment.Author, comment.Body, comment.IsInternal, comment.CreatedAt);
    }
}
