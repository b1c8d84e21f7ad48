using McpCqrs.Mcp.Output;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// Exposes a command (or query) as an MCP tool. The request's properties become the tool's arguments, its
/// validators enrich the input schema, its result type becomes the output schema.
/// Hints left unset are derived: a query is read-only; a command is not read-only, not destructive and not
/// idempotent; both are closed-world (they touch only this application's data).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class McpToolAttribute(string name) : Attribute
{
    private bool? _readOnly;
    private bool? _destructive;
    private bool? _idempotent;
    private bool? _openWorld;

    /// <summary>The tool's name: 1–128 characters of letters, digits, '_', '-' and '.'.</summary>
    public string Name { get; } = name;

    /// <summary>A human-readable title for user interfaces.</summary>
    public string? Title { get; set; }

    /// <summary>What the tool does, for the model. Defaults to the request type's XML summary.</summary>
    public string? Description { get; set; }

    public bool ReadOnly { get => _readOnly ?? false; set => _readOnly = value; }

    public bool Destructive { get => _destructive ?? false; set => _destructive = value; }

    public bool Idempotent { get => _idempotent ?? false; set => _idempotent = value; }

    public bool OpenWorld { get => _openWorld ?? false; set => _openWorld = value; }

    /// <summary>An icon URL (https: or data:) shown by clients that display tools; <see cref="McpIconAttribute"/> gives more (sizes, themes).</summary>
    public string? IconUrl { get; set; }

    /// <summary>The icon's media type, e.g. <c>image/svg+xml</c>.</summary>
    public string? IconMimeType { get; set; }

    /// <summary>
    /// How the result is written into the tool result's text content (<c>structuredContent</c> is always JSON):
    /// <see cref="OutputFormat.Default"/> (the server's <c>Mcp:Output:DefaultFormat</c>), <see cref="OutputFormat.Json"/>,
    /// <see cref="OutputFormat.Toon"/> or <see cref="OutputFormat.Auto"/>. A call can override it in its <c>_meta</c>
    /// (<see cref="OutputFormats.MetaKey"/>).
    /// </summary>
    public OutputFormat Output { get; set; }

    /// <summary>
    /// Whether a call may run as a task (durable, polled, cancellable): <see cref="TaskSupport.Forbidden"/> (the
    /// default: always answered at once), <see cref="TaskSupport.Optional"/> (a task when the client takes tasks,
    /// else at once) or <see cref="TaskSupport.Required"/> (only as a task; a client that takes none is refused).
    /// </summary>
    public TaskSupport Task { get; set; }

    /// <summary>
    /// How long a call may run, in seconds, before its handler's token is cancelled and the caller gets a
    /// <c>timeout</c> tool error; 0 (the default) keeps the server's <c>Mcp:Limits:DispatchTimeout</c>. A call run as a
    /// task is bounded by the task's time to live instead.
    /// </summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>
    /// Anyone may call it: it needs no permission. Outside the Development environment a binding that declares no
    /// permission (no <c>[ScopeRequired]</c>, <c>[RoleRequired]</c>, <c>[PolicyRequired]</c>, <c>[PermissionRequired]</c>,
    /// nothing under <c>Authorization:Bindings</c>) stops the start unless it says this.
    /// </summary>
    public bool Public { get; set; }

    internal TimeSpan? Timeout => TimeoutOf(TimeoutSeconds);

    /// <summary>0 → null (the server's timeout); anything else as seconds (a negative one is refused when the catalog is built).</summary>
    internal static TimeSpan? TimeoutOf(int seconds) => seconds == 0 ? null : TimeSpan.FromSeconds(seconds);

    internal ToolHints Hints => new(_readOnly, _destructive, _idempotent, _openWorld);
}

/// <summary>How a tool runs as an MCP task (<c>execution.taskSupport</c> in 2025-11-25).</summary>
public enum TaskSupport
{
    /// <summary>Never a task: the call answers with its result.</summary>
    Forbidden,

    /// <summary>A task when the client takes tasks, else an ordinary call.</summary>
    Optional,

    /// <summary>Only as a task.</summary>
    Required,
}

/// <summary>Behaviour hints; <c>null</c> means "derive from command or query".</summary>
public sealed record ToolHints(bool? ReadOnly = null, bool? Destructive = null, bool? Idempotent = null, bool? OpenWorld = null);
