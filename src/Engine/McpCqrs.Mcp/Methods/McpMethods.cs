using McpCqrs.Mcp.Security;
using System.Text;
using System.Text.Json;
using Mediator;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Sessions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary>
/// The request of an MCP method itself (<c>tools/list</c>, <c>tools/call</c>, ...), not a use case's command or query.
/// The dispatcher serves it through its <see cref="IMcpMethodHandler{TRequest, TResult}"/>, outside the mediator
/// pipeline: the behaviors run once per call, on the use-case request the method sends (a tool's command, a
/// resource's query), never on the method around it.
/// </summary>
/// <typeparam name="TResult">The method's result.</typeparam>
public interface IMcpMethod<TResult>;

/// <summary>Serves one MCP method's request (see <see cref="IMcpMethod{TResult}"/>).</summary>
public interface IMcpMethodHandler<in TRequest, TResult>
    where TRequest : IMcpMethod<TResult>
{
    ValueTask<TResult> Handle(TRequest request, CancellationToken cancellationToken);
}

/// <summary><c>initialize</c>: version negotiation and what this server offers.</summary>
public sealed record McpInitialize(InitializeRequestParams Params) : IMcpMethod<InitializeResult>;

/// <summary><c>server/discover</c> (2026-07-28): versions, capabilities and instructions.</summary>
public sealed record McpDiscover : IMcpMethod<DiscoverResult>;

/// <summary><c>ping</c>.</summary>
public sealed record McpPing : IMcpMethod<PingResult>;

/// <summary><c>tools/list</c>, one page at a time.</summary>
public sealed record McpListTools(string? Cursor) : IMcpMethod<ListToolsResult>;

/// <summary><c>tools/call</c>: binds the arguments to the tool's request and sends it through the mediator.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The call's arguments.</param>
/// <param name="Format">
/// The output format this call asks for, overriding the tool's binding: the request's
/// <c>_meta["mcpcqrs/outputFormat"]</c> (<see cref="McpCqrs.Mcp.Output.OutputFormats.MetaKey"/>), one of
/// <c>"json"</c>, <c>"toon"</c>, <c>"auto"</c> — read it with
/// <see cref="McpCqrs.Mcp.Output.OutputFormats.FromMeta"/>. Null (or <c>Default</c>) keeps the binding's
/// format. It changes only the text content; <c>structuredContent</c> is JSON whatever the format.
/// </param>
public sealed record McpCallTool(
    string Name,
    IDictionary<string, JsonElement>? Arguments,
    McpCqrs.Mcp.Output.OutputFormat? Format = null) : IMcpMethod<CallToolResult>
{
    /// <summary>
    /// The <c>arguments</c> object as the request's document holds it (valid while the request is served), read straight
    /// into the tool's request; when set, <see cref="Arguments"/> is null.
    /// </summary>
    public JsonElement? ArgumentsJson { get; init; }
}

/// <summary><c>logging/setLevel</c>.</summary>
public sealed record McpSetLoggingLevel(LoggingLevel Level) : IMcpMethod<EmptyResult>;

public sealed class McpInitializeHandler(McpServerInfo server, McpCatalogBuilder registrations) : IMcpMethodHandler<McpInitialize, InitializeResult>
{
    public ValueTask<InitializeResult> Handle(McpInitialize command, CancellationToken cancellationToken)
    {
        var requested = command.Params.ProtocolVersion;
        return ValueTask.FromResult(new InitializeResult
        {
            ProtocolVersion = McpProtocol.IsSupported(requested) ? requested : McpProtocol.LatestVersion,
            Capabilities = McpCapabilities.Server(appsExtension: registrations.Apps.Count > 0 && Apps.McpApps.ClientTakesApps(command.Params.Capabilities)),
            ServerInfo = server.Implementation(),
            Instructions = server.Instructions,
        });
    }
}

/// <summary>What this server offers, the same in both eras (each handler below exists).</summary>
public static class McpCapabilities
{
    /// <param name="tasksExtension">
    /// 2026-07-28 with a task worker: the tasks extension (<c>extensions["io.modelcontextprotocol/tasks"]</c>). The
    /// 2025-11-25 <c>capabilities.tasks</c> is added by the transport to the <c>initialize</c> result.
    /// </param>
    /// <remarks>
    /// One shared instance per argument (do not change it): the session era keeps the <c>initialize</c> answer's JSON
    /// per capabilities instance, so a new session costs no serialization.
    /// </remarks>
    /// <param name="appsExtension">The client declared MCP Apps (<c>io.modelcontextprotocol/ui</c>) and this server serves views.</param>
    public static ServerCapabilities Server(bool tasksExtension = false, bool appsExtension = false) => Shared[(tasksExtension ? 1 : 0) + (appsExtension ? 2 : 0)];

    private static readonly ServerCapabilities[] Shared = [Create(false, false), Create(true, false), Create(false, true), Create(true, true)];

    private static ServerCapabilities Create(bool tasksExtension, bool appsExtension) => new()
    {
        Tools = new ToolsCapability { ListChanged = true },
        Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
        Prompts = new PromptsCapability { ListChanged = true },
        Completions = new CompletionsCapability(),
        Logging = new LoggingCapability(),
        Extensions = Extensions(tasksExtension, appsExtension),
    };

    private static Dictionary<string, object>? Extensions(bool tasks, bool apps)
    {
        var extensions = new Dictionary<string, object>();
        if (tasks)
        {
            extensions[McpCqrs.Mcp.Tasks.McpTaskWire.ExtensionId] = new System.Text.Json.Nodes.JsonObject();
        }

        if (apps)
        {
            extensions[Apps.McpApps.ExtensionId] = new System.Text.Json.Nodes.JsonObject();
        }

        return extensions.Count > 0 ? extensions : null;
    }
}

public sealed class McpDiscoverHandler(McpServerInfo server, IServiceProvider services, McpCatalogBuilder registrations, IMcpRequestContext context) : IMcpMethodHandler<McpDiscover, DiscoverResult>
{
    public ValueTask<DiscoverResult> Handle(McpDiscover query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DiscoverResult
        {
            SupportedVersions = [.. McpProtocol.StatelessVersions],
            Capabilities = McpCapabilities.Server(
                tasksExtension: services.GetService(typeof(McpCqrs.Mcp.Tasks.IMcpTaskQueue)) is not null,
                appsExtension: registrations.Apps.Count > 0 && Apps.McpApps.ClientTakesApps(context.ClientCapabilities)),
            Instructions = server.Instructions,

            // The whole serverInfo (title, icons, website) here; other results carry only its name and version.
            Meta = new System.Text.Json.Nodes.JsonObject
            {
                [McpCqrs.Mcp.Eras.StatelessEraPolicy.MetaServerInfo] = JsonSerializer.SerializeToNode(server.Implementation(), McpJsonUtilities.DefaultOptions),
            },
        });
}

public sealed class McpPingHandler : IMcpMethodHandler<McpPing, PingResult>
{
    public ValueTask<PingResult> Handle(McpPing query, CancellationToken cancellationToken) => ValueTask.FromResult(new PingResult());
}

internal sealed class McpListToolsHandler(McpCatalog catalog, McpServerInfo server, VisibleBindings visible) : IMcpMethodHandler<McpListTools, ListToolsResult>
{
    public async ValueTask<ListToolsResult> Handle(McpListTools query, CancellationToken cancellationToken)
    {
        var (page, next) = ListCursor.Page(await visible.FilterAsync(catalog.Tools, b => b.RequestType, cancellationToken), query.Cursor, server.ListPageSize, "tools");
        return new ListToolsResult { Tools = [.. page.Select(b => b.Tool)], NextCursor = next };
    }
}

/// <summary>
/// Runs a tool and turns its result into the tool result: the JSON value as <c>structuredContent</c> and, as text
/// content, that value written by the <see cref="McpCqrs.Mcp.Output.IOutputFormatter"/> in the call's
/// format, else the binding's, else the server default (JSON or TOON; TOON falls back to JSON, never to an error).
/// The formatter comes from DI (Infrastructure registers the TOON-capable one); a container without one gets JSON text.
/// </summary>
public sealed class McpCallToolHandler(
    McpCatalog catalog,
    ISender sender,
    IServiceProvider services,
    McpCqrs.Mcp.Output.IOutputFormatter formatter)
    : IMcpMethodHandler<McpCallTool, CallToolResult>
{
    /// <summary>For containers without an <see cref="McpCqrs.Mcp.Output.IOutputFormatter"/>: JSON text only.</summary>
    public McpCallToolHandler(McpCatalog catalog, ISender sender, IServiceProvider services)
        : this(catalog, sender, services, McpCqrs.Mcp.Output.JsonOutputFormatter.Instance)
    {
    }

    public async ValueTask<CallToolResult> Handle(McpCallTool command, CancellationToken cancellationToken)
    {
        if (!catalog.TryGetTool(command.Name, out var binding))
        {
            throw new McpProtocolException($"Unknown tool: '{command.Name}'.", McpErrorCode.InvalidParams);
        }

        var context = services.GetService(typeof(McpRequestContext)) as McpRequestContext;
        // Only a tool that may run as a task needs the worker (the common call does not look it up).
        var queue = binding.TaskSupport == TaskSupport.Forbidden
            ? null
            : services.GetService(typeof(McpCqrs.Mcp.Tasks.IMcpTaskQueue)) as McpCqrs.Mcp.Tasks.IMcpTaskQueue;
        var asTask = context is { Task: null } && McpCqrs.Mcp.Tasks.TaskRules.Decide(binding, context.TaskOptIn, queue, context.Era);
        object? result;
        try
        {
            var request = command.Arguments is null ? ArgumentBinder.Bind(binding.RequestType, command.ArgumentsJson) : ArgumentBinder.Bind(binding.RequestType, command.Arguments);
            if (asTask)
            {
                context!.CreatedTask = await new McpCqrs.Mcp.Tasks.McpTaskLauncher(sender, services)
                    .StartAsync(binding, request, command.Arguments ?? ArgumentBinder.Copy(command.ArgumentsJson), context, queue!, cancellationToken);
                return new CallToolResult { Content = [] };
            }

            if (context is { Task: not null })
            {
                // The task's own request, admitted when the task was created.
                context.AdmittedRequest = request;
            }

            // A task's run is bounded by its time to live, not by the dispatch timeout.
            result = await BoundRequests.SendAsync(binding.Invoker, request, services, sender, context is { Task: not null } ? null : BoundRequests.For(binding, services), cancellationToken, context?.Cancellation);
        }
        catch (Exception ex) when (ToolError.From(ex) is { } error)
        {
            return error.ToResult();
        }

        // The dispatcher writes a call's answer from its rendering; a task's run and direct callers get the result object.
        return ToResult(binding, result, formatter, command.Format, BoundRequests.Limits(services).MaxToolResultBytes, context is { Dispatched: true, Task: null } ? context : null);
    }

    /// <summary>The tool result with JSON text (the binding's format is not consulted).</summary>
    internal static CallToolResult ToResult(ToolBinding binding, object? result) =>
        ToResult(binding, result, McpCqrs.Mcp.Output.JsonOutputFormatter.Instance, null, long.MaxValue, answered: null);

    /// <summary>
    /// The tool result: <see cref="ToolContent"/> as it is; data rendered by <see cref="RenderedToolResult"/> (its text in
    /// the call's <c>format</c>, else the binding's, through <c>formatter</c>). A result larger than <c>maxBytes</c>
    /// (<see cref="McpLimitsOptions.MaxToolResultBytes"/>, measured by <see cref="McpCqrs.Mcp.Output.ResultSize"/>)
    /// becomes the tool error <see cref="ToolError.ResultTooLarge"/>. <c>answered</c> is the context of a call the
    /// dispatcher answers: it gets the rendering (<see cref="McpRequestContext.Rendered"/>), and what is returned is an
    /// empty result no one writes; without it the rendering is made into the result object.
    /// </summary>
    private static CallToolResult ToResult(
        ToolBinding binding,
        object? result,
        McpCqrs.Mcp.Output.IOutputFormatter formatter,
        McpCqrs.Mcp.Output.OutputFormat? format,
        long maxBytes,
        McpRequestContext? answered)
    {
        if (result is ToolContent content)
        {
            var blocks = new CallToolResult { Content = [.. content.Content], StructuredContent = content.StructuredContent, IsError = content.IsError ? true : null };
            var size = McpCqrs.Mcp.Output.ResultSize.Of(blocks);
            return size > maxBytes ? RenderedToolResult.TooLarge(binding, size, maxBytes) : blocks;
        }

        if (RenderedToolResult.Render(binding, result, formatter, format, maxBytes, out var tooLarge) is not { } rendered)
        {
            return tooLarge!;
        }

        if (answered is not null)
        {
            answered.Rendered = rendered;
            return new CallToolResult { Content = [] };
        }

        using (rendered)
        {
            return rendered.ToResult();
        }
    }
}

public sealed class McpSetLoggingLevelHandler(IMcpRequestContext context, ISessionStore sessions)
    : IMcpMethodHandler<McpSetLoggingLevel, EmptyResult>
{
    public async ValueTask<EmptyResult> Handle(McpSetLoggingLevel command, CancellationToken cancellationToken)
    {
        if (context.SessionId is { } id && await sessions.GetAsync(id, cancellationToken) is { } session)
        {
            await sessions.UpdateAsync(session with { LogLevel = command.Level }, cancellationToken);
        }

        return new EmptyResult();
    }
}

/// <summary>
/// Opaque list cursors: the position in the list, base64url-encoded with the list's name, so a cursor of one
/// list is refused by another. A cursor that does not decode is <c>-32602</c>.
/// </summary>
public static class ListCursor
{
    public static (IReadOnlyList<T> Page, string? NextCursor) Page<T>(IReadOnlyList<T> items, string? cursor, int pageSize, string list)
    {
        var offset = cursor is null ? 0 : Decode(cursor, list);
        if (offset > items.Count)
        {
            throw new McpProtocolException("Invalid cursor: it points past the end of the list.", McpErrorCode.InvalidParams);
        }

        var page = items.Skip(offset).Take(pageSize).ToList();
        var next = offset + page.Count < items.Count ? Encode(offset + page.Count, list) : null;
        return (page, next);
    }

    public static string Encode(int offset, string list) =>
        System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}:{offset}"));

    /// <summary>The offset a cursor of <paramref name="list"/> points at; -32602 for anything this server did not issue.</summary>
    public static int Decode(string cursor, string list)
    {
        try
        {
            var text = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor));
            var prefix = list + ":";
            if (text.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw new McpProtocolException("Invalid cursor: pass back a nextCursor exactly as this server returned it.", McpErrorCode.InvalidParams);
    }
}
