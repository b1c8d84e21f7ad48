using McpCqrs.Starter.Application.Notes;
using McpCqrs.Starter.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Starter.Tests;

public sealed class CreateNoteHandlerTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private AppDbContext _db = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_connection).Options);
        await _db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Fact]
    public async Task Stores_the_note_and_returns_it_with_its_id()
    {
        var handler = new CreateNoteHandler(_db, TimeProvider.System);

        var note = await handler.Handle(new CreateNote("  Call the supplier ", "About the late delivery"), CancellationToken.None);

        Assert.True(note.Id > 0);
        Assert.Equal("Call the supplier", note.Title);
        var stored = await _db.Notes.SingleAsync(n => n.Id == note.Id);
        Assert.Equal("About the late delivery", stored.Body);
    }

    [Fact]
    public async Task Lists_the_newest_notes_first()
    {
        var create = new CreateNoteHandler(_db, TimeProvider.System);
        await create.Handle(new CreateNote("first"), CancellationToken.None);
        await create.Handle(new CreateNote("second"), CancellationToken.None);

        var list = await new ListNotesHandler(_db).Handle(new ListNotes(Take: 1), CancellationToken.None);

        Assert.Equal("second", Assert.Single(list.Items).Title);
    }

    [Fact]
    public void The_validator_refuses_an_empty_title()
    {
        var result = new CreateNoteValidator().Validate(new CreateNote(""));

        Assert.Contains(result.Errors, e => e.PropertyName == nameof(CreateNote.Title));
    }
}
