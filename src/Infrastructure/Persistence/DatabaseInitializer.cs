using McpCqrs.Domain.Customers;
using McpCqrs.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Infrastructure.Persistence;

/// <summary>Applies migrations and, on an empty database, inserts the sample support desk.</summary>
public sealed partial class DatabaseInitializer(AppDbContext db, TimeProvider clock, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(bool seed, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, db.Database.ProviderName, pending.Count);
        if (seed && !await db.CustomerSet.AnyAsync(cancellationToken))
        {
            await SeedAsync(cancellationToken);
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ada = Customer.Create("Ada Lovelace", "ada@analytical.example", "Analytical Engines Ltd", now.AddDays(-30));
        var grace = Customer.Create("Grace Hopper", "grace@cobol.example", "Compilers Inc", now.AddDays(-21));
        var linus = Customer.Create("Linus Torvalds", "linus@kernel.example", null, now.AddDays(-7));
        db.CustomerSet.AddRange(ada, grace, linus);
        await db.SaveChangesAsync(cancellationToken);

        var login = Ticket.Create(ada.Id, "Cannot log in after password reset", "The reset e-mail link says it has expired.", TicketPriority.High, ["login", "email"], now.AddDays(-5));
        login.AssignTo("sam", now.AddDays(-5).AddHours(1));
        login.ChangeStatus(TicketStatus.InProgress, now.AddDays(-5).AddHours(2));
        login.AddComment("sam", "Reset links expire after 15 minutes; can you try again and click it at once?", false, now.AddDays(-4));

        var invoice = Ticket.Create(ada.Id, "Invoice shows the wrong VAT rate", null, TicketPriority.Normal, ["billing"], now.AddDays(-3));

        var export = Ticket.Create(grace.Id, "CSV export times out for large reports", "Exports over 50k rows fail after 30 s.", TicketPriority.Urgent, ["export", "performance"], now.AddDays(-2));
        export.AssignTo("kim", now.AddDays(-2).AddHours(3));
        export.AddComment("kim", "Reproduced with 60k rows; looking at the query plan.", true, now.AddDays(-1));

        var darkMode = Ticket.Create(grace.Id, "Feature request: dark mode", "Our night shift would love it.", TicketPriority.Low, ["feature-request", "ui"], now.AddDays(-10));
        darkMode.ChangeStatus(TicketStatus.WaitingOnCustomer, now.AddDays(-9));

        var typo = Ticket.Create(linus.Id, "Typo on the pricing page", "'Anually' should be 'Annually'.", TicketPriority.Low, ["website"], now.AddDays(-6));
        typo.AssignTo("sam", now.AddDays(-6).AddHours(1));
        typo.ChangeStatus(TicketStatus.Resolved, now.AddDays(-5));
        typo.ChangeStatus(TicketStatus.Closed, now.AddDays(-4));

        var api = Ticket.Create(linus.Id, "API returns 500 on an empty search", null, TicketPriority.High, ["api", "bug"], now.AddHours(-6));

        db.TicketSet.AddRange(login, invoice, export, darkMode, typo, api);
        await db.SaveChangesAsync(cancellationToken);
        LogSeeded(logger, 3, 6);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ({Provider}) is up to date; {Count} migration(s) applied")]
    private static partial void LogMigrated(ILogger logger, string? provider, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Customers} sample customers and {Tickets} tickets")]
    private static partial void LogSeeded(ILogger logger, int customers, int tickets);
}
