using FluentValidation;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Security;
using McpCqrs.Starter.Application.Common;
using McpCqrs.Starter.Domain.Notes;
using Mediator;

namespace McpCqrs.Starter.Application.Notes;

/// <summary>Writes a new note.</summary>
/// <param name="Title">A one-line title.</param>
/// <param name="Body">The note's text.</param>
[ScopeRequired("notes:write")]
[McpTool("create_note", Title = "Create a note")]
public sealed record CreateNote(string Title, string? Body = null) : ICommand<NoteDto>;

public sealed class CreateNoteValidator : AbstractValidator<CreateNote>
{
    public CreateNoteValidator()
    {
        RuleFor(x => x.Title).NotEmpty().MaximumLength(Note.TitleMaxLength);
        RuleFor(x => x.Body).MaximumLength(Note.BodyMaxLength);
    }
}

public sealed class CreateNoteHandler(IAppDbContext db, TimeProvider clock) : ICommandHandler<CreateNote, NoteDto>
{
    public async ValueTask<NoteDto> Handle(CreateNote command, CancellationToken cancellationToken)
    {
        var note = Note.Create(command.Title, command.Body, clock.GetUtcNow().UtcDateTime);
        db.Notes.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return NoteDto.From(note);
    }
}
