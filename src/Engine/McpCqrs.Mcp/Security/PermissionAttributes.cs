namespace McpCqrs.Mcp.Security;

/// <summary>
/// The caller's token must carry every one of <paramref name="scopes"/> (OAuth <c>scope</c> values). Several
/// permission attributes on one request must all pass. A refusal names the scopes to ask for, so an MCP client
/// can step up (<c>WWW-Authenticate: Bearer error="insufficient_scope", scope="..."</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class ScopeRequiredAttribute(params string[] scopes) : Attribute
{
    public IReadOnlyList<string> Scopes { get; } = scopes;
}

/// <summary>The caller must be in one of <paramref name="roles"/> (role claims of the token).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class RoleRequiredAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>
/// The caller must satisfy the ASP.NET Core authorization policy named <paramref name="policy"/> (registered with
/// <c>AddAuthorization(o =&gt; o.AddPolicy(...))</c>); the request is the policy's resource.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class PolicyRequiredAttribute(string policy) : Attribute
{
    public string Policy { get; } = policy;
}

/// <summary>
/// The custom permission <paramref name="permission"/> (an <see cref="IMcpPermission"/>, resolved from the
/// request's services, or created with their help when not registered) must grant the call.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public class PermissionRequiredAttribute(Type permission) : Attribute
{
    public Type Permission { get; } = typeof(IMcpPermission).IsAssignableFrom(permission)
        ? permission
        : throw new ArgumentException($"{permission} does not implement {nameof(IMcpPermission)}.", nameof(permission));
}

/// <summary>The typed form of <see cref="PermissionRequiredAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class PermissionRequiredAttribute<TPermission>() : PermissionRequiredAttribute(typeof(TPermission))
    where TPermission : IMcpPermission;
