using System.Text;
using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

/// <summary>
/// Our engine against an independent evaluator that reads filters by the rules of Gridify's own lexer and parser
/// (Gridify v2.19: a value runs from the first non-blank character after the operator to the next unescaped
/// <c>, | ( )</c> or <c>/i</c>, trailing white space included; a backslash keeps the next character; <c>,</c> and
/// <c>|</c> bind alike, left to right). Random filters over a text field, seeded so a failure reproduces: both must
/// accept each one and select the same items.
/// </summary>
public sealed class GridifyDifferentialTests
{
    private static readonly string[] Operators = ["=", "!=", "=*", "!*", "^", "$", "!^", "!$"];

    private static readonly string[] Fragments =
    [
        "printer", "Printer", "jam", "on", "fire", "e", "P", "r", "a", " ", "  ", @"\,", @"\|", @"\(", @"\)", @"\\", @"\/i",
    ];

    [Fact]
    public void Random_text_filters_select_what_gridifys_reading_of_them_selects()
    {
        var random = new Random(20261206);
        var differentResults = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var filter = RandomFilter(random, depth: 0);
            var expected = string.Join(',', QueryTestData.Items.Where(new GridifyReading(filter).Predicate()).Select(x => x.Id).Order());
            string actual;
            try
            {
                actual = string.Join(',', GridifyQueryEngine.Instance.Filter(QueryTestData.Query, filter, QueryTestData.Fields).Select(x => x.Id).Order());
            }
            catch (QuerySyntaxException ex)
            {
                throw new Xunit.Sdk.XunitException($"Gridify reads '{filter}' but the engine refused it: {ex.Message}");
            }

            Assert.True(expected == actual, $"'{filter}': Gridify's reading selects [{expected}], the engine [{actual}]");
            if (expected.Length > 0 && expected != "1,2,3,4,5,6")
            {
                differentResults++;
            }
        }

        // The filters discriminate (they neither all select nothing nor everything), so a disagreement would show.
        Assert.True(differentResults > 100, $"only {differentResults} filters selected some but not all items");
    }

    private static string RandomFilter(Random random, int depth)
    {
        var builder = new StringBuilder();
        var terms = random.Next(1, 4);
        for (var t = 0; t < terms; t++)
        {
            if (t > 0)
            {
                builder.Append(Blank(random)).Append(random.Next(2) == 0 ? ',' : '|').Append(Blank(random));
            }

            if (depth < 2 && random.Next(4) == 0)
            {
                builder.Append('(').Append(Blank(random)).Append(RandomFilter(random, depth + 1)).Append(Blank(random)).Append(')');
            }
            else
            {
                builder.Append("title").Append(Blank(random)).Append(Operators[random.Next(Operators.Length)]).Append(Blank(random)).Append(RandomValue(random));
                if (random.Next(3) == 0)
                {
                    builder.Append("/i");
                }
            }
        }

        return builder.ToString();
    }

    private static string RandomValue(Random random)
    {
        // Starts with a non-blank fragment (an all-blank value is no value to Gridify's parser), then 0-3 more,
        // blanks included: trailing white space is part of the value.
        var value = new StringBuilder();
        do
        {
            value.Clear().Append(Fragments[random.Next(Fragments.Length)]);
        }
        while (string.IsNullOrWhiteSpace(value.ToString()));

        for (var n = random.Next(4); n > 0; n--)
        {
            value.Append(Fragments[random.Next(Fragments.Length)]);
        }

        return value.ToString();
    }

    private static string Blank(Random random) => random.Next(4) == 0 ? " " : string.Empty;

    /// <summary>A filter as Gridify's lexer and parser read it, evaluated on <see cref="Item.Title"/> in memory.</summary>
    private sealed class GridifyReading(string text)
    {
        private int _position;

        public Func<Item, bool> Predicate()
        {
            var predicate = Expression();
            SkipBlanks();
            Assert.True(_position == text.Length, $"'{text}': unread text at {_position}");
            return predicate;
        }

        private Func<Item, bool> Expression()
        {
            var left = Term();
            while (true)
            {
                SkipBlanks();
                if (_position >= text.Length || text[_position] is not (',' or '|'))
                {
                    return left;
                }

                var or = text[_position++] == '|';
                var right = Term();
                var l = left;
                left = or ? x => l(x) || right(x) : x => l(x) && right(x);
            }
        }

        private Func<Item, bool> Term()
        {
            SkipBlanks();
            if (text[_position] == '(')
            {
                _position++;
                var inner = Expression();
                SkipBlanks();
                Assert.Equal(')', text[_position++]);
                return inner;
            }

            var start = _position;
            while (char.IsLetterOrDigit(text[_position]) || text[_position] is '_' or '.' or '-')
            {
                _position++;
            }

            Assert.Equal("title", text[start.._position]);
            SkipBlanks();
            var op = Operators.Where(o => string.CompareOrdinal(text, _position, o, 0, o.Length) == 0).MaxBy(o => o.Length)!;
            _position += op.Length;
            SkipBlanks();

            var value = new StringBuilder();
            var escaped = false;
            while (_position < text.Length && (escaped || !(text[_position] == '/' && _position + 1 < text.Length && text[_position + 1] == 'i')))
            {
                var c = text[_position];
                if (escaped)
                {
                    value.Append(c);
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c is '(' or ')' or ',' or '|')
                {
                    break;
                }
                else
                {
                    value.Append(c);
                }

                _position++;
            }

            var caseInsensitive = string.CompareOrdinal(text, _position, "/i", 0, 2) == 0;
            if (caseInsensitive)
            {
                _position += 2;
            }

            var v = caseInsensitive ? value.ToString().ToLowerInvariant() : value.ToString();
            string Field(Item x) => caseInsensitive ? x.Title.ToLowerInvariant() : x.Title;
            return op switch
            {
                "=" => x => string.Equals(Field(x), v, StringComparison.Ordinal),
                "!=" => x => !string.Equals(Field(x), v, StringComparison.Ordinal),
                "=*" => x => Field(x).Contains(v, StringComparison.Ordinal),
                "!*" => x => !Field(x).Contains(v, StringComparison.Ordinal),
                "^" => x => Field(x).StartsWith(v, StringComparison.Ordinal),
                "$" => x => Field(x).EndsWith(v, StringComparison.Ordinal),
                "!^" => x => !Field(x).StartsWith(v, StringComparison.Ordinal),
                _ => x => !Field(x).EndsWith(v, StringComparison.Ordinal),
            };
        }

        private void SkipBlanks()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }
    }
}
