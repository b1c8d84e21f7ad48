namespace McpCqrs.Mcp.Security;

/// <summary>Per-binding permissions from configuration (section <c>Authorization</c>), added to the attributes' ones.</summary>
public sealed class PermissionOptions
{
    public const string SectionName = "Authorization";

    /// <summary>
    /// Whether permissions are checked. The <c>AllowAny</c> authentication back-end turns this off: every caller may
    /// call everything (development only). Set to false outside the Development environment, the start fails unless
    /// <see cref="AllowUnenforcedOutsideDevelopment"/>.
    /// </summary>
    public bool Enforce { get; set; } = true;

    /// <summary>
    /// Lets <c>Authorization:Enforce=false</c> start in an environment other than Development (a benchmark or test
    /// host that no one else can reach; never a reachable one).
    /// </summary>
    public bool AllowUnenforcedOutsideDevelopment { get; set; }

    /// <summary>
    /// Leave out of <c>tools/list</c>, <c>prompts/list</c> and the resource lists what the caller may not call (by
    /// its scopes, roles and policies; custom permissions are asked with no request). Listings then differ per
    /// caller, so their cache scope becomes <c>private</c>.
    /// </summary>
    public bool HideForbidden { get; set; }

    /// <summary>Binding name (tool, selector, prompt or resource name) → what it requires.</summary>
    public Dictionary<string, BindingPermissionOptions> Bindings { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>What one binding requires, from configuration.</summary>
public sealed class BindingPermissionOptions
{
    /// <summary>Every one of these scopes.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>One of these roles.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Every one of these ASP.NET Core authorization policies.</summary>
    public List<string> Policies { get; set; } = [];
}
