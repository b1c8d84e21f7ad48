using System.Text;
using McpCqrs.Querying;
using Microsoft.EntityFrameworkCore;

namespace McpCqrs.Tests.Unit.Querying;

/// <summary>
/// Random inputs, seeded so that a failure reproduces: every string either filters (and the query runs) or throws
/// <see cref="QuerySyntaxException"/>. Any other exception fails the test; a hang would never finish it.
/// </summary>
public sealed class GridifyFuzzTests
{
    private static readonly GridifyQueryEngine Engine = GridifyQueryEngine.Instance;

    private static readonly string[] FieldNames =
    [
        "id", "title", "priority", "note", "state", "createdAt", "active", "key", "customer.name", "tags", "price", "score",
        "TITLE", "Customer.Name", "colour", "customer.", ".name", "ti tle", "prïority", "日本", "a_b", "1",
    ];

    private static readonly string[] Operators = ["=", "!=", "<", ">", "<=", ">=", "=*", "!*", "^", "$", "!^", "!$", "==", "!", "=<", "~", "", "#"];

    private static readonly string[] Values =
    [
        "", "x", "printer", "Printer on fire", "null", "NULL", @"\null", "3", "-1", "1.5", "1e3", "99999999999999999999",
        "NaN", "Infinity", "true", "FALSE", "yes", "Open", "inprogress", "2", "2026-01-02", "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05+02:00", "2026-13-45", "4a4a4a4a-0000-4000-8000-000000000004", "not-a-guid", "billing",
        "Ada", " spaced value ", "é", "日本語", "😀", "\uD800", "\uDC00x", "\0", "\t", "/i", "a/ib", @"\/i", @"\,", @"\|",
        @"\(", @"\)", @"\\", @"\", "%", "_", "'", "\"", "--", ";", "*",
    ];

    private static readonly string[] WellFormed =
    [
        "title=*printer/i", "title!^Printer", "TITLE$fire", @"title=a\,b\|c\(d\)", "priority>=3", "priority!=1", "note=null",
        "note!=", "state=open", "state<Closed", "createdAt<2026-01-02", "createdAt>=2026-01-01T00:00:00+01:00", "active=true",
        "key!=4a4a4a4a-0000-4000-8000-000000000004", "customer.name^Ada", "Customer.Name=null", "customer.name!*love/i",
        "tags=billing", "tags!=NETWORK/i", "price<=10.5", "score!=null", "score>1e0", "id=3", " title = x ",
    ];

    private static readonly string[] Noise = [",", "|", "(", ")", "\\", "/i", " ", "  ", "\n", "=", "!", "<", ">", "*", "^", "$", "é", "😀", "\uDBFF"];

    [Fact]
    public void Ten_thousand_random_filters_either_apply_or_throw_a_query_syntax_exception()
    {
        var random = new Random(20260731);
        var applied = 0;
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var filter = RandomFilter(random);
            bool ok;
            try
            {
                _ = Engine.Filter(QueryTestData.Query, filter, QueryTestData.Fields).Count();
                ok = true;
                applied++;
            }
            catch (QuerySyntaxException ex)
            {
                Assert.InRange(ex.Position, 0, filter.Length);
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                ok = false;
                refused++;
            }

            // Validate agrees with Filter.
            Assert.Equal(ok, Engine.Validate(filter, null, QueryTestData.Fields).IsValid);
        }

        // Both outcomes are exercised, so the test can fail either way.
        Assert.True(applied > 1000, $"only {applied} filters applied");
        Assert.True(refused > 1000, $"only {refused} filters refused");
    }

    [Fact]
    public void Random_order_by_lists_either_order_or_throw_a_query_syntax_exception()
    {
        var random = new Random(7);
        var ordered = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var text = new StringBuilder();
            var parts = random.Next(0, 5);
            for (var p = 0; p < parts; p++)
            {
                text.Append(Pick(random, FieldNames));
                text.Append(Pick(random, ["", " ", " asc", " DESC", " desc ", " up", "desc", ",", " ,"]));
                if (random.Next(4) == 0)
                {
                    text.Append(Pick(random, Noise));
                }

                text.Append(p < parts - 1 ? Pick(random, [",", ", ", " , ", ",,", " "]) : "");
            }

            try
            {
                _ = Engine.Order(QueryTestData.Query, text.ToString(), QueryTestData.Fields, x => x.Id).ToList();
                ordered++;
            }
            catch (QuerySyntaxException ex)
            {
                Assert.Equal(QuerySyntaxException.OrderBy, ex.InputKind);
                Assert.InRange(ex.Position, 0, text.Length);
            }
        }

        Assert.True(ordered > 300, $"only {ordered} lists ordered");
    }

    [Fact]
    public async Task Random_filters_that_parse_also_run_on_sqlite_and_translate_on_postgres()
    {
        // The same generator over the real model: whatever parses must translate (no client evaluation) and run.
        var random = new Random(42);
        await using var database = await TestDatabase.CreateAsync();
        await using var sqlite = database.NewContext();
        using var postgres = GridifySqlTranslationTests.Postgres();
        string[] names = ["id", "title", "status", "priority", "assignee", "tags", "createdAt", "closedAt", "customer.name"];
        string[] values = ["Open", "High", "sam", "billing", "null", "2026-01-01", "3", "x/i", @"a\,b", "%_", "é", "PRINTER/i", ""];
        var translated = 0;
        for (var i = 0; i < 300; i++)
        {
            var filter = new StringBuilder();
            var conditions = random.Next(1, 5);
            for (var c = 0; c < conditions; c++)
            {
                if (c > 0)
                {
                    filter.Append(random.Next(2) == 0 ? ',' : '|');
                }

                var open = random.Next(3) == 0;
                filter.Append(open ? "(" : "").Append(Pick(random, names)).Append(Pick(random, Operators)).Append(Pick(random, values)).Append(open ? ")" : "");
            }

            try
            {
                var query = Engine.Filter(sqlite.Tickets, filter.ToString(), GridifySqlTranslationTests.TicketFields);
                _ = await query.CountAsync();
                _ = Engine.Filter(postgres.Tickets, filter.ToString(), GridifySqlTranslationTests.TicketFields).ToQueryString();
                translated++;
            }
            catch (QuerySyntaxException)
            {
            }
        }

        Assert.True(translated > 30, $"only {translated} filters translated");
    }

    private static string RandomFilter(Random random)
    {
        switch (random.Next(20))
        {
            case 0:
                // Pure noise.
                return string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Pick(random, Noise)));
            case 1:
                // Very long tokens, around the length limit.
                return Pick(random, FieldNames) + Pick(random, Operators) + new string(Pick(random, ["x", "(", "\\", ",", "é"])[0], random.Next(1900, 2100));
            case 2:
                // Deep nesting, balanced or not.
                var depth = random.Next(25, 40);
                return new string('(', depth) + "priority=3" + new string(')', depth - random.Next(0, 2));
            case 3:
                // Random UTF-16 code units, including lone surrogates and controls.
                return string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => (char)random.Next(0, 0x10000)));
            default:
                break;
        }

        var text = new StringBuilder();
        var conditions = random.Next(1, random.Next(4) > 0 ? 4 : 120);
        var open = 0;
        for (var c = 0; c < conditions; c++)
        {
            if (c > 0)
            {
                text.Append(random.Next(2) == 0 ? ',' : '|');
            }

            while (random.Next(6) == 0)
            {
                text.Append('(');
                open++;
            }

            if (random.Next(3) > 0)
            {
                text.Append(Pick(random, WellFormed));
            }
            else
            {
                text.Append(Pick(random, FieldNames)).Append(Pick(random, Operators)).Append(Pick(random, Values));
            }

            if (random.Next(10) == 0)
            {
                text.Append("/i");
            }

            if (random.Next(12) == 0)
            {
                text.Append(Pick(random, Noise));
            }

            while (open > 0 && random.Next(3) == 0)
            {
                text.Append(')');
                open--;
            }
        }

        if (random.Next(3) > 0)
        {
            text.Append(')', open);
        }

        return text.ToString();
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
