using McpCqrs.Starter.Domain.Notes;

namespace McpCqrs.Starter.Application.Notes;

/// <summary>A note as callers see it.</summary>
public sealed record NoteDto(int Id, string Title, string? Body, DateTime CreatedAt)
{
    public static NoteDto From(Note note) => new(note.Id, note.Title, note.Body, note.CreatedAt);
}
