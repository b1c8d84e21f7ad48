using System.Text.Json;
using McpCqrs.Querying;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Application.Tickets;
using McpCqrs.Domain.Tickets;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Output;

/// <summary>
/// How many tokens TOON saves over JSON on a <c>list_tickets</c> page of 20 tickets (the real DTO and page envelope,
/// serialized with the application's JSON contract, as the tool's structured content and JSON text are).
/// </summary>
/// <remarks>
/// Tokenizer (<see cref="SimpleTokenizer"/>): whitespace separates tokens and is not one; every character that is
/// neither a letter, a digit nor whitespace (punctuation and symbols: <c>{ } [ ] " : , - . | #</c>, …) is a token of
/// its own; every maximal run of letters and digits is one token.
/// </remarks>
public sealed class TokenSavingTests
{
    private static readonly string[] Titles =
    [
        "Cannot log in after password reset",
        "Invoice shows the wrong VAT rate",
        "CSV export times out for large reports",
        "Feature request: dark mode",
        "Typo on the pricing page",
        "API returns 500 on an empty search",
        "Two-factor codes arrive late",
        "Dashboard charts do not load in Safari",
    ];

    private static readonly (int Id, string Name)[] Customers = [(1, "Ada Lovelace"), (2, "Grace Hopper"), (3, "Linus Torvalds")];

    private static readonly string?[] Assignees = ["alice", "bob", null, "carol"];

    private static readonly string[][] TagSets = [["login", "email"], ["billing"], ["export", "performance"], ["feature-request", "ui"], ["website"], ["api", "bug"]];

    /// <summary>Twenty tickets as <c>list_tickets</c> returns them (page 1 of 3, 47 tickets in all).</summary>
    internal static Page<TicketSummaryDto> TicketPage()
    {
        var start = new DateTime(2025, 11, 3, 8, 30, 0, DateTimeKind.Utc);
        var tickets = Enumerable.Range(0, 20).Select(i =>
        {
            var customer = Customers[i % Customers.Length];
            var created = start.AddHours(-7 * i).AddMinutes(13 * i);
            return new TicketSummaryDto(
                47 - i,
                customer.Id,
                customer.Name,
                Titles[i % Titles.Length],
                (TicketStatus)(i % 5),
                (TicketPriority)(i % 4),
                Assignees[i % Assignees.Length],
                TagSets[i % TagSets.Length],
                created,
                created.AddHours(3 + (i % 5)).AddMinutes(17));
        });
        return new Page<TicketSummaryDto>([.. tickets], 1, 20, 47);
    }

    /// <summary>The same page without <c>tags</c>: every column primitive, so TOON writes one table.</summary>
    internal static Page<FlatTicket> FlatTicketPage()
    {
        var page = TicketPage();
        return new Page<FlatTicket>(
            [.. page.Items.Select(t => new FlatTicket(t.Id, t.CustomerId, t.CustomerName, t.Title, t.Status, t.Priority, t.Assignee, t.CreatedAt, t.UpdatedAt))],
            page.PageNumber,
            page.PageSize,
            page.TotalItems);
    }

    [Fact]
    public void The_tokenizer_splits_on_whitespace_and_each_punctuation_character()
    {
        Assert.Equal(0, SimpleTokenizer.Count("  \n "));
        Assert.Equal(7, SimpleTokenizer.Count("{\"id\":47,"));
        Assert.Equal(7, SimpleTokenizer.Count("items[20]: ab c1"));
    }

    [Fact]
    public void Toon_saves_at_least_35_percent_of_the_tokens_of_a_list_tickets_page()
    {
        // tags is an array, so TOON writes the items as a list of objects (§9.4), not as a table; Auto picks JSON.
        var value = JsonSerializer.SerializeToElement(TicketPage(), AppJson.Options);
        var (jsonTokens, toonTokens) = Tokens(value);

        // When written: JSON 2127 tokens, TOON 1260 (40.8 % fewer).
        Assert.InRange(Saving(jsonTokens, toonTokens), 35.0, 100.0);
        Assert.False(McpCqrs.Mcp.Output.OutputShape.PrefersToon(value));
    }

    [Fact]
    public void Toon_saves_at_least_45_percent_of_the_tokens_of_a_flat_ticket_page()
    {
        var value = JsonSerializer.SerializeToElement(FlatTicketPage(), AppJson.Options);
        var (jsonTokens, toonTokens) = Tokens(value);

        // When written: JSON 1869 tokens, TOON 907 (51.5 % fewer).
        Assert.InRange(Saving(jsonTokens, toonTokens), 45.0, 100.0);
        Assert.True(McpCqrs.Mcp.Output.OutputShape.PrefersToon(value));
    }

    /// <summary>JSON text as the tool sends it today (compact), TOON text as the formatter writes it; both counted.</summary>
    private static (int Json, int Toon) Tokens(JsonElement value)
    {
        var json = value.GetRawText();
        var toon = ToonEncoder.Encode(value);
        OutputSamples.AssertDecodesTo(value, toon);
        return (SimpleTokenizer.Count(json), SimpleTokenizer.Count(toon));
    }

    private static double Saving(int json, int toon) => 100.0 * (json - toon) / json;
}

public sealed record FlatTicket(
    int Id,
    int CustomerId,
    string CustomerName,
    string Title,
    TicketStatus Status,
    TicketPriority Priority,
    string? Assignee,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A deliberately simple tokenizer: see <see cref="TokenSavingTests"/>.</summary>
internal static class SimpleTokenizer
{
    public static int Count(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                {
                    count++;
                    inWord = true;
                }

                continue;
            }

            inWord = false;
            if (!char.IsWhiteSpace(c))
            {
                count++;
            }
        }

        return count;
    }
}
