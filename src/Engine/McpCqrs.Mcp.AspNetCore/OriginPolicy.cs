using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// DNS-rebinding protection: a request with an <c>Origin</c> header must come from an allowed origin.
/// By default only loopback origins (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>, any port) are allowed.
/// </summary>
public sealed class OriginPolicy
{
    private readonly bool _any;
    private readonly HashSet<string> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Scheme, string Suffix)> _wildcards = [];
    private readonly bool _loopbackOnly;

    public OriginPolicy(IOptions<McpTransportOptions> options)
    {
        foreach (var entry in options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')))
        {
            if (entry == "*")
            {
                _any = true;
            }
            else if (entry.IndexOf("://*.", StringComparison.Ordinal) is var star and > 0)
            {
                // "https://*.example.com" → ("https", "example.com")
                _wildcards.Add((entry[..star], entry[(star + "://*.".Length)..]));
            }
            else if (Uri.TryCreate(entry, UriKind.Absolute, out var uri))
            {
                _exact.Add(uri.GetLeftPart(UriPartial.Authority));
            }
            else
            {
                throw new OptionsValidationException(
                    "Mcp:AllowedOrigins",
                    typeof(McpTransportOptions),
                    [$"'{entry}' is not an origin: use https://host[:port], https://*.domain or *."]);
            }
        }

        _loopbackOnly = !_any && _exact.Count == 0 && _wildcards.Count == 0;
    }

    public bool IsAllowed(string? origin)
    {
        if (string.IsNullOrEmpty(origin) || _any)
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        if (_loopbackOnly)
        {
            return uri.IsLoopback;
        }

        if (_exact.Contains(uri.GetLeftPart(UriPartial.Authority)))
        {
            return true;
        }

        // "https://*.example.com" matches https://a.example.com and https://a.b.example.com (any port given in the pattern must match).
        var hostAndPort = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return _wildcards.Any(w =>
            string.Equals(w.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase)
            && hostAndPort.EndsWith("." + w.Suffix, StringComparison.OrdinalIgnoreCase));
    }
}
