using FluentValidation;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Security;
using McpCqrs.Starter.Application.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Starter.Application.Notes;

/// <summary>Lists the newest notes.</summary>
/// <param name="Take">How many notes at most (1-100; 20 when omitted).</param>
[ScopeRequired("notes:read")]
[McpTool("list_notes", Title = "List notes")]
public sealed record ListNotes(int Take = 20) : IQuery<NoteList>;

/// <summary>The notes, newest first.</summary>
public sealed record NoteList(IReadOnlyList<NoteDto> Items);

public sealed class ListNotesValidator : AbstractValidator<ListNotes>
{
    public ListNotesValidator() => RuleFor(x => x.Take).InclusiveBetween(1, 100);
}

public sealed class ListNotesHandler(IAppDbContext db) : IQueryHandler<ListNotes, NoteList>
{
    public async ValueTask<NoteList> Handle(ListNotes query, CancellationToken cancellationToken)
    {
        var notes = await db.Notes.AsNoTracking()
            .OrderByDescending(n => n.Id)
            .Take(query.Take)
            .ToListAsync(cancellationToken);
        return new NoteList([.. notes.Select(NoteDto.From)]);
    }
}
