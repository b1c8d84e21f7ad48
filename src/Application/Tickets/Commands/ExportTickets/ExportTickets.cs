using System.Globalization;
using System.Text;
using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Querying;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Common;

namespace McpCqrs.Application.Tickets.Commands.ExportTickets;

/// <summary>
/// Exports the tickets that match a Gridify filter as CSV (id, customer, title, status, priority, assignee, tags,
/// created, updated), in batches. It can take a while, so it runs as a task when the client takes tasks: the
/// status message says how far it is, and an export of more than 100 tickets asks the user to confirm first.
/// </summary>
/// <param name="Filter">Which tickets: Gridify syntax over the fields of list_tickets; empty exports all.</param>
/// <param name="OrderBy">In which order, e.g. "priority desc, createdAt"; by default the most recently updated first.</param>
[ScopeRequired("tickets:read")]
[McpTool("export_tickets", Title = "Export tickets as CSV", ReadOnly = true, Idempotent = true, Task = TaskSupport.Optional)]
public sealed record ExportTickets(string? Filter = null, string? OrderBy = null) : ICommand<TicketExport>;

/// <summary>The export: how many tickets, and the CSV (a header line, then one line per ticket).</summary>
public sealed record TicketExport(int Count, string Csv);

public sealed class ExportTicketsValidator : AbstractValidator<ExportTickets>
{
    public ExportTicketsValidator(IQueryEngine engine) =>
        RuleFor(x => x).Custom((command, context) =>
        {
            if (engine.Validate(command.Filter, command.OrderBy, TicketFields.Map).Error is { } error)
            {
                context.AddFailure(new FluentValidation.Results.ValidationFailure(error.InputKind, error.Message) { ErrorCode = "syntax" });
            }
        });
}

public sealed class ExportTicketsHandler(IAppDbContext db, IQueryEngine engine, IProgressReporter progress, IClientInput input)
    : ICommandHandler<ExportTickets, TicketExport>
{
    /// <summary>Above this many tickets the user is asked to confirm (when the client can ask its user).</summary>
    public const int ConfirmAbove = 100;

    public const int BatchSize = 50;

    public const string ConfirmationKey = "confirm_export";

    public async ValueTask<TicketExport> Handle(ExportTickets command, CancellationToken cancellationToken)
    {
        var tickets = engine.Filter(db.Tickets, command.Filter, TicketFields.Map);
        var count = await db.CountAsync(tickets, cancellationToken);
        if (count > ConfirmAbove && input.CanElicit && !await input.ConfirmAsync(ConfirmationKey, $"Export {count} tickets? That is more than {ConfirmAbove}.", "Export them all", cancellationToken))
        {
            throw new BusinessRuleViolationException("ticket.export_declined", $"The export of {count} tickets was not confirmed; nothing was exported.");
        }

        var csv = new StringBuilder("id,customer,title,status,priority,assignee,tags,createdAt,updatedAt\n");
        var ordered = engine.Order(tickets, command.OrderBy, TicketFields.Map, t => t.Id);
        for (var done = 0; done < count; done += BatchSize)
        {
            var batch = await db.ToListAsync(TicketReadModel.Summaries(ordered.Skip(done).Take(BatchSize)), cancellationToken);
            foreach (var t in batch)
            {
                csv.AppendJoin(',', [
                    t.Id.ToString(CultureInfo.InvariantCulture), Field(t.CustomerName), Field(t.Title), t.Status.ToString(), t.Priority.ToString(),
                    Field(t.Assignee), Field(string.Join(' ', t.Tags)), Timestamp(t.CreatedAt), Timestamp(t.UpdatedAt)]).Append('\n');
            }

            await progress.ReportAsync(Math.Min(done + BatchSize, count), count, "Exporting tickets", cancellationToken);
            if (batch.Count < BatchSize)
            {
                break;
            }
        }

        return new TicketExport(count, csv.ToString());
    }

    /// <summary>
    /// A CSV field (RFC 4180) that no spreadsheet evaluates: a value starting with <c>=</c>, <c>+</c>, <c>-</c>,
    /// <c>@</c>, a tab or a carriage return would be read as a formula, so it is prefixed with a single quote (OWASP
    /// CSV injection guidance; a title such as "-5 °C" is therefore exported as "'-5 °C"); then the field is quoted
    /// when it holds a comma, a quote or a line break.
    /// </summary>
    internal static string Field(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    private static string Timestamp(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);
}
