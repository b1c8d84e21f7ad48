using McpCqrs.Mcp.Exceptions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Mcp.Catalog;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Apps;

/// <summary>
/// MCP Apps (extension <c>io.modelcontextprotocol/ui</c>, SEP-1865): an HTML view served as a <c>ui://</c> resource,
/// which hosts that render views show in a sandboxed frame when a tool linked to it is called.
/// </summary>
public static class McpApps
{
    /// <summary>The extension's identifier, in <c>capabilities.extensions</c> of client and server.</summary>
    public const string ExtensionId = "io.modelcontextprotocol/ui";

    /// <summary>The media type of an app's HTML document.</summary>
    public const string MimeType = "text/html;profile=mcp-app";

    /// <summary>The <c>_meta</c> member that holds a tool's or a view's UI settings.</summary>
    public const string MetaKey = "ui";

    /// <summary>
    /// Whether the client declared the extension (<c>capabilities.extensions["io.modelcontextprotocol/ui"]</c>, with
    /// <see cref="MimeType"/> among its <c>mimeTypes</c> when it lists any).
    /// </summary>
    public static bool ClientTakesApps(ClientCapabilities? capabilities)
    {
        if (capabilities?.Extensions is not { } extensions || !extensions.TryGetValue(ExtensionId, out var declared))
        {
            return false;
        }

        var node = declared switch
        {
            JsonNode n => n,
            JsonElement e => JsonSerializer.SerializeToNode(e),
            _ => null,
        };
        return node?["mimeTypes"] is not JsonArray types || types.Any(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s == MimeType);
    }

    /// <summary>A tool's <c>_meta</c> linking it to the view at <paramref name="resourceUri"/>; <paramref name="appOnly"/>: only the view calls it, never the model.</summary>
    public static JsonObject ToolMeta(string resourceUri, bool appOnly = false) => new()
    {
        [MetaKey] = new JsonObject
        {
            ["resourceUri"] = resourceUri,
            ["visibility"] = appOnly ? new JsonArray("app") : new JsonArray("model", "app"),
        },
    };

    /// <summary>
    /// The <c>ui://</c> views that tools of <paramref name="tools"/> link to but <paramref name="resources"/> does not
    /// serve as apps: a start-up error names each tool and its view.
    /// </summary>
    internal static void CheckLinks(IEnumerable<ToolBinding> tools, IEnumerable<ResourceBinding> resources)
    {
        var views = resources.Where(r => r.MimeType == MimeType).Select(r => r.UriTemplate).ToHashSet(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (tool.Tool.Meta?[MetaKey]?["resourceUri"] is JsonValue value && value.TryGetValue<string>(out var uri) && !views.Contains(uri))
            {
                throw new InvalidOperationException(
                    $"MCP tool '{tool.Name}' of {tool.RequestType.FullName} shows the view '{uri}', which is not registered: add it with AddApp(\"{uri}\", ...) or correct the URI.");
            }
        }
    }
}

/// <summary>
/// Links a tool or selector to an MCP App view (<c>_meta.ui.resourceUri</c>): a host that renders views shows it when
/// the tool is called and hands it the tool's input and result.
/// </summary>
/// <param name="resourceUri">The view's <c>ui://</c> URI, registered with <see cref="McpCatalogBuilder.AddApp(McpAppRegistration)"/>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class McpAppViewAttribute(string resourceUri) : Attribute
{
    public string ResourceUri { get; } = resourceUri;

    /// <summary>Only the view calls it (<c>visibility: ["app"]</c>): hosts keep it from the model. Not access control — use permissions.</summary>
    public bool AppOnly { get; set; }
}

/// <summary>
/// An MCP App view: the HTML document at <see cref="Uri"/> (<c>ui://…</c>) with what the host's sandbox should allow
/// it. <see cref="Html"/> gives the document (read once per call: cache in it what costs). The view is public by
/// default (<see cref="Public"/>): it is the application's own code, and every call it makes is checked as the user's.
/// </summary>
public sealed record McpAppRegistration(string Uri, string Name, Func<IServiceProvider, CancellationToken, ValueTask<string>> Html)
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    /// <summary>Origins the view may fetch from or open sockets to (CSP <c>connect-src</c>); none by default.</summary>
    public IReadOnlyList<string> ConnectDomains { get; init; } = [];

    /// <summary>Origins of scripts, styles, images and fonts it loads (CSP <c>script-src</c>, <c>img-src</c>, ...); none by default.</summary>
    public IReadOnlyList<string> ResourceDomains { get; init; } = [];

    /// <summary>Origins it may embed in frames; none by default.</summary>
    public IReadOnlyList<string> FrameDomains { get; init; } = [];

    /// <summary>Whether the host should draw a border around it (null: the host decides).</summary>
    public bool? PrefersBorder { get; init; }

    /// <summary>A dedicated origin for the view, in the host's own format (passed through as given).</summary>
    public string? Domain { get; init; }

    public IReadOnlyList<Icon>? Icons { get; init; }

    public bool Public { get; init; } = true;

    /// <summary>HTML kept in the assembly as an embedded resource, read once.</summary>
    public static Func<IServiceProvider, CancellationToken, ValueTask<string>> Embedded(Assembly assembly, string resourceName)
    {
        var html = new Lazy<string>(() =>
        {
            using var stream = assembly.GetManifestResourceStream(resourceName)
                ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no embedded resource '{resourceName}'. Known: {string.Join(", ", assembly.GetManifestResourceNames())}.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });
        return (_, _) => ValueTask.FromResult(html.Value);
    }

    /// <summary>The view's <c>_meta.ui</c>: CSP domains, border preference and origin, as the extension spells them.</summary>
    public JsonObject UiMeta()
    {
        var ui = new JsonObject
        {
            ["csp"] = new JsonObject
            {
                ["connectDomains"] = new JsonArray([.. ConnectDomains.Select(d => (JsonNode?)d)]),
                ["resourceDomains"] = new JsonArray([.. ResourceDomains.Select(d => (JsonNode?)d)]),
                ["frameDomains"] = new JsonArray([.. FrameDomains.Select(d => (JsonNode?)d)]),
            },
        };
        if (PrefersBorder is { } border)
        {
            ui["prefersBorder"] = border;
        }

        if (Domain is { Length: > 0 } domain)
        {
            ui["domain"] = domain;
        }

        return new JsonObject { [McpApps.MetaKey] = ui };
    }

    /// <summary>The resource the catalog lists and reads: its request is sent through the mediator like any other.</summary>
    internal ResourceRegistration ToResource()
    {
        if (!Uri.StartsWith("ui://", StringComparison.Ordinal) || Uri.Contains('{', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"MCP App '{Name}': its URI '{Uri}' must be a fixed ui:// URI.");
        }

        var uri = Uri;
        return new ResourceRegistration(
            typeof(McpAppDocument),
            Uri,
            Name,
            Title,
            Description,
            McpApps.MimeType,
            Invoker: async (services, _, cancellationToken) => await services.GetRequiredService<ISender>().Send(new McpAppDocument { Uri = uri }, cancellationToken),
            Public: Public,
            Icons: Icons,
            Meta: UiMeta());
    }
}

/// <summary>Reads an MCP App's HTML document (the request every <c>ui://</c> view's read sends).</summary>
public sealed record McpAppDocument : IQuery<TextResourceContents>
{
    public string Uri { get; init; } = string.Empty;
}

/// <summary>Renders the document of the view registered at the request's URI, with its <c>_meta.ui</c>.</summary>
public sealed class McpAppDocumentHandler(McpCatalogBuilder registrations, IServiceProvider services) : IQueryHandler<McpAppDocument, TextResourceContents>
{
    public async ValueTask<TextResourceContents> Handle(McpAppDocument query, CancellationToken cancellationToken)
    {
        var app = registrations.Apps.FirstOrDefault(a => a.Uri == query.Uri)
            ?? throw new ApplicationErrorException(new ApplicationError(ApplicationErrorKind.NotFound, "mcp app.not_found", $"MCP App '{query.Uri}' was not found."));
        return new TextResourceContents
        {
            Uri = app.Uri,
            MimeType = McpApps.MimeType,
            Text = await app.Html(services, cancellationToken),
            Meta = app.UiMeta(),
        };
    }
}
