using McpCqrs.Starter.Domain.Notes;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Starter.Application.Common;

/// <summary>The application's unit of work (implemented by the infrastructure's DbContext).</summary>
public interface IAppDbContext
{
    DbSet<Note> Notes { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
