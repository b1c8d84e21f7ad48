using System.Text;
using System.Text.RegularExpressions;

namespace McpCqrs.Mcp.Resources;

/// <summary>
/// Matches a URI against an RFC 6570 template and returns its variables — the inverse of expansion, which
/// <c>Std.UriTemplate</c> does (it does not match). Written here because no library on our feed matches.
/// Supported expressions: <c>{var}</c>, <c>{+var}</c>, <c>{#var}</c>, <c>{.var}</c>, <c>{/var}</c>, <c>{;var}</c>
/// (one variable each, no explode or prefix modifiers) and, at the end, <c>{?a,b}</c> / <c>{&amp;a}</c> query
/// expressions whose parameters may come in any order and may be left out. Values are percent-decoded.
/// </summary>
public sealed partial class UriTemplateMatcher
{
    private readonly Regex _path;
    private readonly List<string> _pathVariables = [];
    private readonly List<string> _queryVariables = [];
    private readonly char? _queryPrefix;

    public UriTemplateMatcher(string template)
    {
        Template = template;
        var pattern = new StringBuilder("^");
        var position = 0;
        var sawQuery = false;
        foreach (Match expression in Expression().Matches(template))
        {
            var literal = template[position..expression.Index];
            var op = expression.Groups["op"].Value;
            if (sawQuery && (literal.Length > 0 || op is not ("?" or "&")))
            {
                throw new ArgumentException($"URI template '{template}': query expressions ({{?...}}) must come last.", nameof(template));
            }

            pattern.Append(Regex.Escape(literal));
            position = expression.Index + expression.Length;
            var names = expression.Groups["vars"].Value.Split(',', StringSplitOptions.TrimEntries);
            if (names.Any(n => !VariableName().IsMatch(n)))
            {
                throw new ArgumentException($"URI template '{template}': unsupported expression '{expression.Value}' (explode and prefix modifiers are not supported).", nameof(template));
            }

            if (op is "?" or "&")
            {
                // "{&a}" continues a query the literal started ("?kind=book{&page}"); "{?a}" starts one.
                _queryPrefix ??= op == "&" ? '&' : '?';
                sawQuery = true;
                _queryVariables.AddRange(names);
                continue;
            }

            if (names.Length != 1)
            {
                throw new ArgumentException($"URI template '{template}': '{expression.Value}' has several variables; only query expressions may.", nameof(template));
            }

            _pathVariables.Add(names[0]);
            pattern.Append(op switch
            {
                "" => "([^/?#,]*)",
                "+" => "([^?#]*)",
                "#" => "#(.*)",
                "." => "\\.([^/?#.]*)",
                "/" => "/([^/?#]*)",
                ";" => ";" + Regex.Escape(names[0]) + "(?:=([^/?#;]*))?",
                _ => throw new ArgumentException($"URI template '{template}': operator '{op}' is not supported.", nameof(template)),
            });
        }

        if (sawQuery && position != template.Length)
        {
            throw new ArgumentException($"URI template '{template}': query expressions ({{?...}}) must come last.", nameof(template));
        }

        pattern.Append(Regex.Escape(template[position..]));
        if (_queryVariables.Count > 0)
        {
            pattern.Append(_queryPrefix == '&' ? "(?:&(?<query>[^#]*))?" : "(?:\\?(?<query>[^#]*))?");
        }

        _path = new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    public string Template { get; }

    /// <summary>The template's variable names, in order.</summary>
    public IReadOnlyList<string> Variables => [.. _pathVariables, .. _queryVariables];

    /// <summary>Whether the template has no variables (a fixed URI).</summary>
    public bool IsFixed => _pathVariables.Count == 0 && _queryVariables.Count == 0;

    public bool TryMatch(string uri, out IReadOnlyDictionary<string, string> variables)
    {
        variables = new Dictionary<string, string>();
        Match match;
        try
        {
            match = _path.Match(uri);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        if (!match.Success)
        {
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _pathVariables.Count; i++)
        {
            values[_pathVariables[i]] = Uri.UnescapeDataString(match.Groups[i + 1].Value);
        }

        if (match.Groups["query"] is { Success: true, Value: var query })
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var cut = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(cut < 0 ? pair : pair[..cut]);
                if (!_queryVariables.Contains(name))
                {
                    return false;
                }

                values[name] = cut < 0 ? string.Empty : Uri.UnescapeDataString(pair[(cut + 1)..].Replace('+', ' '));
            }
        }

        variables = values;
        return true;
    }

    /// <summary>Fills the template (RFC 6570 expansion by Std.UriTemplate).</summary>
    public string Expand(IReadOnlyDictionary<string, object?> values) => Std.UriTemplate.Expand(Template, values);

    [GeneratedRegex(@"\{(?<op>[+#./;?&]?)(?<vars>[^}]*)\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"^[A-Za-z0-9_]+$")]
    private static partial Regex VariableName();
}
