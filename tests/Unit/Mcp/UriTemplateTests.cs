using McpCqrs.Mcp.Resources;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>
/// <see cref="UriTemplateMatcher"/>: matching is hand-written, expansion is Std.UriTemplate, so matching what
/// expansion produced must give the values back. RFC 6570 expansion is not reversible everywhere; the cases
/// where it is not are pinned by their own tests below.
/// </summary>
public sealed class UriTemplateTests
{
    private static readonly string[] EveryTemplate =
    [
        "tickets://{id}",
        "test://template/{id}/data",
        "customers://{customerId}/tickets{?status,page}",
        "files://{+path}",
        "docs://x{/section}",
        "s://a{.ext}",
        "m://a{;v}",
        "f://a{#frag}",
    ];

    // Simple, path-segment, matrix and query expansion percent-encode everything outside "unreserved", so any
    // string comes back: '/' in {id} becomes %2F, '%' becomes %25 and so on.
    private static readonly string[] AnyValue =
    [
        "42",
        "abc",
        "two words",
        "héllo ✓ 日本",
        "a/b",
        "a?b",
        "a&b",
        "a=b",
        "a%b",
        "%41",
        "a+b",
        "a,b",
        "a;b",
        "a#b",
        "a.b",
        "",
    ];

    private static UriTemplateMatcher Matcher(string template) => new(template);

    private static IReadOnlyDictionary<string, string> Match(string template, string uri)
    {
        Assert.True(Matcher(template).TryMatch(uri, out var variables), $"'{uri}' should match '{template}'");
        return variables;
    }

    private static void AssertRoundTrip(string template, IReadOnlyDictionary<string, string> values)
    {
        var matcher = Matcher(template);
        var uri = matcher.Expand(values.ToDictionary(p => p.Key, p => (object?)p.Value));

        Assert.True(matcher.TryMatch(uri, out var matched), $"'{uri}' (expanded from '{template}') did not match it");
        Assert.Equal(values.OrderBy(p => p.Key, StringComparer.Ordinal), matched.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    public static TheoryData<string, string> ReversibleExpansions()
    {
        var data = new TheoryData<string, string>();
        foreach (var value in AnyValue)
        {
            data.Add("tickets://{id}", value);
            data.Add("test://template/{id}/data", value);
            data.Add("customers://{customerId}/tickets{?status,page}", value);
            data.Add("docs://x{/section}", value);
            data.Add("m://a{;v}", value);

            // Label expansion leaves '.' as it is, so "a.b" reads as two labels (see below).
            if (!value.Contains('.', StringComparison.Ordinal))
            {
                data.Add("s://a{.ext}", value);
            }

            // Reserved and fragment expansion leave reserved characters and %XX triplets as they are (see below).
            if (!value.Contains('%', StringComparison.Ordinal) && !value.Contains('?', StringComparison.Ordinal))
            {
                data.Add("f://a{#frag}", value);
                if (!value.Contains('#', StringComparison.Ordinal))
                {
                    data.Add("files://{+path}", value);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReversibleExpansions))]
    public void Matching_an_expanded_uri_gives_back_exactly_the_values_it_was_expanded_with(string template, string value) =>
        AssertRoundTrip(template, Matcher(template).Variables.ToDictionary(v => v, _ => value));

    [Theory]
    [InlineData("a/b", "tickets://a%2Fb")]
    [InlineData("two words", "tickets://two%20words")]
    [InlineData("a%b", "tickets://a%25b")]
    [InlineData("", "tickets://")]
    public void A_simple_variable_is_percent_encoded_so_a_slash_or_a_percent_sign_survives(string value, string expected)
    {
        var matcher = Matcher("tickets://{id}");

        var uri = matcher.Expand(new Dictionary<string, object?> { ["id"] = value });

        Assert.Equal(expected, uri);
        Assert.True(matcher.TryMatch(uri, out var variables));
        Assert.Equal(value, variables["id"]);
    }

    [Fact]
    public void Each_variable_of_a_template_with_several_gets_its_own_value_back() =>
        AssertRoundTrip(
            "customers://{customerId}/tickets{?status,page}",
            new Dictionary<string, string> { ["customerId"] = "a/b c", ["status"] = "waiting & seen", ["page"] = "2" });

    [Fact]
    public void Reserved_expansion_keeps_slashes_so_a_path_comes_back_whole()
    {
        var matcher = Matcher("files://{+path}");

        var uri = matcher.Expand(new Dictionary<string, object?> { ["path"] = "docs/2024/report one.txt" });

        Assert.Equal("files://docs/2024/report%20one.txt", uri);
        Assert.True(matcher.TryMatch(uri, out var variables));
        Assert.Equal("docs/2024/report one.txt", variables["path"]);
    }

    [Theory]
    [InlineData("files://{+path}", "path")]
    [InlineData("f://a{#frag}", "frag")]
    public void Not_reversible_reserved_and_fragment_expansion_pass_percent_triplets_through_so_they_come_back_decoded(string template, string variable)
    {
        // RFC 6570 §3.2.3: {+var} and {#var} copy pct-encoded triplets as they are, so "%41" and "A" expand
        // differently but "%41" cannot be told apart from an encoded "A" when matching.
        var matcher = Matcher(template);

        var uri = matcher.Expand(new Dictionary<string, object?> { [variable] = "%41" });

        Assert.EndsWith("%41", uri, StringComparison.Ordinal);
        Assert.True(matcher.TryMatch(uri, out var variables));
        Assert.Equal("A", variables[variable]);
    }

    [Fact]
    public void Not_reversible_a_question_mark_in_a_reserved_expansion_starts_a_query_the_template_does_not_have()
    {
        var matcher = Matcher("files://{+path}");

        var uri = matcher.Expand(new Dictionary<string, object?> { ["path"] = "a?b" });

        Assert.Equal("files://a?b", uri);
        Assert.False(matcher.TryMatch(uri, out _));
    }

    [Fact]
    public void Not_reversible_a_dot_in_a_label_expansion_is_not_encoded_so_it_reads_as_a_second_label()
    {
        var matcher = Matcher("s://a{.ext}");

        var uri = matcher.Expand(new Dictionary<string, object?> { ["ext"] = "tar.gz" });

        Assert.Equal("s://a.tar.gz", uri);
        Assert.False(matcher.TryMatch(uri, out _));
    }

    [Theory]
    [InlineData("customers://7/tickets?status=open&page=2")]
    [InlineData("customers://7/tickets?page=2&status=open")]
    public void Query_parameters_may_come_in_any_order(string uri)
    {
        var variables = Match("customers://{customerId}/tickets{?status,page}", uri);

        Assert.Equal("7", variables["customerId"]);
        Assert.Equal("open", variables["status"]);
        Assert.Equal("2", variables["page"]);
    }

    [Theory]
    [InlineData("customers://7/tickets", new string[0])]
    [InlineData("customers://7/tickets?", new string[0])]
    [InlineData("customers://7/tickets?page=3", new[] { "page" })]
    [InlineData("customers://7/tickets?status=closed", new[] { "status" })]
    public void Query_parameters_may_be_left_out_and_are_then_absent_from_the_variables(string uri, string[] present)
    {
        var variables = Match("customers://{customerId}/tickets{?status,page}", uri);

        Assert.Equal(["customerId", .. present], variables.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void An_expansion_with_undefined_query_variables_matches_without_them()
    {
        var matcher = Matcher("customers://{customerId}/tickets{?status,page}");

        var uri = matcher.Expand(new Dictionary<string, object?> { ["customerId"] = "7", ["page"] = "2" });

        Assert.Equal("customers://7/tickets?page=2", uri);
        Assert.True(matcher.TryMatch(uri, out var variables));
        Assert.Equal(2, variables.Count);
        Assert.False(variables.ContainsKey("status"));
    }

    [Theory]
    [InlineData("customers://7/tickets?status")]
    [InlineData("customers://7/tickets?status=")]
    public void A_query_parameter_without_a_value_is_the_empty_string(string uri) =>
        Assert.Equal(string.Empty, Match("customers://{customerId}/tickets{?status,page}", uri)["status"]);

    [Fact]
    public void A_plus_in_a_query_value_is_a_space_as_in_forms() =>
        Assert.Equal("on hold", Match("customers://{customerId}/tickets{?status,page}", "customers://7/tickets?status=on+hold")["status"]);

    [Theory]
    [InlineData("customers://7/tickets?sort=asc")]
    [InlineData("customers://7/tickets?status=open&sort=asc")]
    [InlineData("customers://7/tickets?Status=open")]
    public void An_unknown_query_parameter_does_not_match(string uri) =>
        Assert.False(Matcher("customers://{customerId}/tickets{?status,page}").TryMatch(uri, out _));

    [Fact]
    public void A_query_in_a_uri_whose_template_has_none_does_not_match() =>
        Assert.False(Matcher("tickets://{id}").TryMatch("tickets://1?status=open", out _));

    [Theory]
    [InlineData("tickets://{id}", "customers://1")]
    [InlineData("tickets://{id}", "tickets://1/comments")]
    [InlineData("tickets://{id}", "Tickets://1")]
    [InlineData("tickets://{id}", "xtickets://1")]
    [InlineData("test://template/{id}/data", "test://template/1/other")]
    [InlineData("test://template/{id}/data", "test://template/1/data/more")]
    [InlineData("docs://x{/section}", "docs://x")]
    [InlineData("docs://x{/section}", "docs://x/a/b")]
    [InlineData("s://a{.ext}", "s://a")]
    [InlineData("f://a{#frag}", "f://a")]
    [InlineData("m://a{;v}", "m://a;v=1;w=2")]
    [InlineData("customers://{customerId}/tickets{?status,page}", "customers://7/tickets/extra")]
    public void A_uri_the_template_cannot_produce_does_not_match(string template, string uri) =>
        Assert.False(Matcher(template).TryMatch(uri, out _));

    [Fact]
    public void A_failed_match_leaves_no_variables()
    {
        Assert.False(Matcher("tickets://{id}").TryMatch("customers://1", out var variables));

        Assert.Empty(variables);
    }

    [Fact]
    public void A_fixed_uri_matches_only_itself()
    {
        var matcher = Matcher("info://opening-hours?lang=en");

        Assert.True(matcher.TryMatch("info://opening-hours?lang=en", out var variables));
        Assert.Empty(variables);
        Assert.False(matcher.TryMatch("info://opening-hoursXlang=en", out _));
        Assert.False(matcher.TryMatch("info://opening-hours?lang=de", out _));
    }

    [Theory]
    [InlineData("info://opening-hours", true)]
    [InlineData("a://b?c=d", true)]
    [InlineData("tickets://{id}", false)]
    [InlineData("c://x{?page}", false)]
    [InlineData("f://a{#frag}", false)]
    public void A_template_without_variables_is_fixed(string template, bool isFixed) =>
        Assert.Equal(isFixed, Matcher(template).IsFixed);

    [Theory]
    [InlineData("info://opening-hours", new string[0])]
    [InlineData("tickets://{id}", new[] { "id" })]
    [InlineData("customers://{customerId}/tickets{?status,page}", new[] { "customerId", "status", "page" })]
    [InlineData("a://{+path}{/section}{.ext}{;v}{#frag}", new[] { "path", "section", "ext", "v", "frag" })]
    [InlineData("q://x{?a}{&b,c}", new[] { "a", "b", "c" })]
    public void Variables_are_listed_in_template_order(string template, string[] expected) =>
        Assert.Equal(expected, Matcher(template).Variables);

    [Fact]
    public void The_template_is_kept_as_given() =>
        Assert.Equal("customers://{customerId}/tickets{?status,page}", Matcher("customers://{customerId}/tickets{?status,page}").Template);

    [Theory]
    [InlineData("tickets://{id*}", "{id*}")]
    [InlineData("tickets://{/ids*}", "{/ids*}")]
    [InlineData("tickets://x{?tags*}", "{?tags*}")]
    public void An_explode_modifier_is_refused(string template, string expression)
    {
        var error = Assert.Throws<ArgumentException>(() => Matcher(template));

        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
        Assert.Contains("explode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tickets://{id:3}", "{id:3}")]
    [InlineData("files://{+path:10}", "{+path:10}")]
    public void A_prefix_modifier_is_refused(string template, string expression)
    {
        var error = Assert.Throws<ArgumentException>(() => Matcher(template));

        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
        Assert.Contains("prefix", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tickets://{a,b}")]
    [InlineData("tickets://x{/a,b}")]
    [InlineData("tickets://x{.a,b}")]
    [InlineData("tickets://x{;a,b}")]
    [InlineData("tickets://{+a,b}")]
    public void A_path_expression_with_several_variables_is_refused(string template)
    {
        var error = Assert.Throws<ArgumentException>(() => Matcher(template));

        Assert.Contains("several variables", error.Message, StringComparison.Ordinal);
        Assert.Contains(template, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tickets://x{?page}/more")]
    [InlineData("tickets://x{?page}{/section}")]
    [InlineData("tickets://x{?page}{id}")]
    [InlineData("tickets://x{?page}y{&size}")]
    public void A_query_expression_that_is_not_last_is_refused(string template)
    {
        var error = Assert.Throws<ArgumentException>(() => Matcher(template));

        Assert.Contains("must come last", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x://{?a}{&b}")]
    [InlineData("x://{?a}{?b}")]
    public void Several_query_expressions_at_the_end_are_one_query(string template)
    {
        var variables = Match(template, "x://?b=2&a=1");

        Assert.Equal("1", variables["a"]);
        Assert.Equal("2", variables["b"]);
    }

    [Theory]
    [InlineData("x://{!a}")]
    [InlineData("x://{=a}")]
    [InlineData("x://{a-b}")]
    [InlineData("x://{}")]
    public void An_unsupported_operator_or_variable_name_is_refused(string template) =>
        Assert.Throws<ArgumentException>(() => Matcher(template));
}
