using System.ComponentModel.DataAnnotations;
using McpCqrs.Mcp.Catalog;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp;

/// <summary>How the server introduces itself in <c>initialize</c>, and its list defaults. Bound from <c>Mcp:Server</c>.</summary>
public sealed class McpServerInfo : IValidatableObject
{
    public const string SectionName = "Mcp:Server";

    [Required]
    public string Name { get; set; } = "mcpcqrs";

    public string? Title { get; set; }

    /// <summary>The application's version (its entry assembly's, by default).</summary>
    [Required]
    public string Version { get; set; } = (System.Reflection.Assembly.GetEntryAssembly() ?? typeof(McpServerInfo).Assembly).GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>What a model should know about the server as a whole (<c>instructions</c>).</summary>
    public string? Instructions { get; set; }

    /// <summary>The server's icons (<c>serverInfo.icons</c>): <c>https:</c> URLs or <c>data:</c> URIs, with media type, sizes and theme.</summary>
    public List<McpServerIcon> Icons { get; set; } = [];

    /// <summary>The server's home page (<c>serverInfo.websiteUrl</c>).</summary>
    public Uri? WebsiteUrl { get; set; }

    /// <summary>Items per page of <c>tools/list</c> (and the other lists).</summary>
    [Range(1, 1000)]
    public int ListPageSize { get; set; } = 50;

    /// <summary>
    /// <c>serverInfo</c> of the <c>initialize</c> answer (and of <c>server/discover</c>): one instance while the
    /// settings stay as they are, so the answer's JSON is made once (see the session era's cache).
    /// </summary>
    public ModelContextProtocol.Protocol.Implementation Implementation()
    {
        var current = _implementation;
        if (current is null || current.Name != Name || current.Title != Title || current.Version != Version
            || current.WebsiteUrl != WebsiteUrl?.AbsoluteUri || !ReferenceEquals(_iconsOf, Icons) || _iconCount != Icons.Count)
        {
            _implementation = current = new ModelContextProtocol.Protocol.Implementation
            {
                Name = Name,
                Title = Title,
                Version = Version,
                WebsiteUrl = WebsiteUrl?.AbsoluteUri,
                Icons = Icons.Count > 0 ? [.. Icons.Select(i => i.ToIcon())] : null,
            };
            (_iconsOf, _iconCount) = (Icons, Icons.Count);
        }

        return current;
    }

    private ModelContextProtocol.Protocol.Implementation? _implementation;
    private List<McpServerIcon>? _iconsOf;
    private int _iconCount;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (McpDecorations.ProblemOf("Mcp:Server:Icons", Icons.Select(i => i.ToIcon()), meta: null) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(Icons)]);
        }

        if (WebsiteUrl is { } site && (!site.IsAbsoluteUri || site.Scheme is not ("https" or "http")))
        {
            yield return new ValidationResult("Mcp:Server:WebsiteUrl must be an absolute http(s) URL.", [nameof(WebsiteUrl)]);
        }
    }

    /// <summary>Log messages at or above this level go to a client that has not called <c>logging/setLevel</c>.</summary>
    public LoggingLevel DefaultLogLevel { get; set; } = LoggingLevel.Info;
}

/// <summary>One icon of <c>Mcp:Server:Icons</c>.</summary>
public sealed class McpServerIcon
{
    [Required]
    public string Source { get; set; } = string.Empty;

    public string? MimeType { get; set; }

    /// <summary>Sizes, e.g. <c>["48x48"]</c> or <c>["any"]</c>.</summary>
    public List<string> Sizes { get; set; } = [];

    /// <summary><c>light</c> or <c>dark</c>.</summary>
    public string? Theme { get; set; }

    internal Icon ToIcon() => new() { Source = Source, MimeType = MimeType, Sizes = Sizes.Count > 0 ? [.. Sizes] : null, Theme = Theme };
}
