using McpCqrs.Mcp.EntityFrameworkCore;
using McpCqrs.Starter.Application.Common;
using McpCqrs.Starter.Domain.Notes;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Starter.Infrastructure.Persistence;

/// <summary>
/// The application's tables and the engine's: MCP tasks (<c>AddMcpTasks</c>) and OpenIddict's applications,
/// authorizations, scopes and tokens (<c>UseOpenIddict</c>), which the embedded authorization server keeps.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options), IAppDbContext
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>(note =>
        {
            note.HasKey(n => n.Id);
            note.Property(n => n.Title).HasMaxLength(Note.TitleMaxLength).IsRequired();
            note.Property(n => n.Body).HasMaxLength(Note.BodyMaxLength);
        });
        modelBuilder.AddMcpTasks();
        modelBuilder.UseOpenIddict();
    }
}
