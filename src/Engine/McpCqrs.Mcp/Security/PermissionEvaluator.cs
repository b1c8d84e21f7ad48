using McpCqrs.Mcp.Behaviors;
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Mcp.Security;

/// <summary>What a binding requires: all of <see cref="Scopes"/>, one role of each role set, every policy, every custom permission.</summary>
public sealed record BindingPermissions(
    string Binding,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<IReadOnlyList<string>> RoleSets,
    IReadOnlyList<string> Policies,
    IReadOnlyList<Type> Custom)
{
    public bool IsEmpty => Scopes.Count == 0 && RoleSets.Count == 0 && Policies.Count == 0 && Custom.Count == 0;
}

/// <summary>
/// Decides whether the caller may call a binding: the permissions declared on the request type
/// (<see cref="ScopeRequiredAttribute"/>, <see cref="RoleRequiredAttribute"/>, <see cref="PolicyRequiredAttribute"/>,
/// <see cref="PermissionRequiredAttribute"/>) plus those configured under <c>Authorization:Bindings</c>, all of which
/// must pass. Used by <see cref="AuthorizationBehavior{TMessage,TResponse}"/> on every call (MCP and REST) and by the
/// listings when <see cref="PermissionOptions.HideForbidden"/> is on.
/// </summary>
public sealed class PermissionEvaluator(PermissionOptions options)
{
    private readonly ConcurrentDictionary<Type, BindingPermissions> _byType = new();

    public bool Enforced => options.Enforce;

    public bool HidesForbidden => options.Enforce && options.HideForbidden;

    /// <summary>The permissions of <paramref name="requestType"/>'s binding (cached per type).</summary>
    public BindingPermissions For(Type requestType) => _byType.GetOrAdd(requestType, Build, options);

    private static BindingPermissions Build(Type type, PermissionOptions options)
    {
        var binding = RequestBindings.NameOf(type);
        var configured = options.Bindings.GetValueOrDefault(binding);
        List<string> scopes = [.. type.GetCustomAttributes<ScopeRequiredAttribute>().SelectMany(a => a.Scopes), .. configured?.Scopes ?? []];
        List<IReadOnlyList<string>> roles = [.. type.GetCustomAttributes<RoleRequiredAttribute>().Select(a => a.Roles)];
        if (configured is { Roles.Count: > 0 })
        {
            roles.Add(configured.Roles);
        }

        List<string> policies = [.. type.GetCustomAttributes<PolicyRequiredAttribute>().Select(a => a.Policy), .. configured?.Policies ?? []];
        List<Type> custom = [.. type.GetCustomAttributes<PermissionRequiredAttribute>().Select(a => a.Permission)];
        return new BindingPermissions(binding, [.. scopes.Distinct(StringComparer.Ordinal)], roles, [.. policies.Distinct(StringComparer.Ordinal)], custom);
    }

    /// <summary>
    /// Why the caller may not call <paramref name="requestType"/>, or null when every permission passes. The request
    /// is null when a listing asks whether to show the binding.
    /// </summary>
    public async ValueTask<string?> CheckAsync(Type requestType, object? request, ICurrentUser user, IServiceProvider services, CancellationToken cancellationToken)
    {
        var permissions = For(requestType);
        if (!Enforced || permissions.IsEmpty)
        {
            return null;
        }

        var missing = permissions.Scopes.Where(s => !user.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            return $"the token lacks the scope{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(' ', missing)}";
        }

        foreach (var roles in permissions.RoleSets)
        {
            if (!roles.Any(user.Roles.Contains))
            {
                return $"the caller has none of the roles {string.Join(", ", roles)}";
            }
        }

        if (permissions.Policies.Count > 0)
        {
            var evaluator = services.GetRequiredService<IPolicyEvaluator>();
            foreach (var policy in permissions.Policies)
            {
                if (!await evaluator.IsAllowedAsync(policy, request, cancellationToken))
                {
                    return $"the policy '{policy}' refused the caller";
                }
            }
        }

        foreach (var type in permissions.Custom)
        {
            var permission = (IMcpPermission)(services.GetService(type) ?? ActivatorUtilities.CreateInstance(services, type));
            if (await permission.CheckAsync(new PermissionContext(permissions.Binding, request, user), cancellationToken) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ForbiddenAccessException"/> unless the caller may call <paramref name="requestType"/>.</summary>
    public async ValueTask DemandAsync(Type requestType, object request, ICurrentUser user, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (await CheckAsync(requestType, request, user, services, cancellationToken) is { } reason)
        {
            var permissions = For(requestType);
            throw new ForbiddenAccessException(permissions.Binding, reason, permissions.Scopes, permissions.Scopes.Any(s => !user.Scopes.Contains(s)));
        }
    }

    /// <summary>The items the caller may call (all of them unless <see cref="PermissionOptions.HideForbidden"/>).</summary>
    public async ValueTask<IReadOnlyList<T>> VisibleAsync<T>(IReadOnlyList<T> items, Func<T, Type> requestTypeOf, ICurrentUser user, IServiceProvider services, CancellationToken cancellationToken)
    {
        var visible = new List<T>(items.Count);
        foreach (var item in items)
        {
            if (await CheckAsync(requestTypeOf(item), null, user, services, cancellationToken) is null)
            {
                visible.Add(item);
            }
        }

        return visible;
    }
}

/// <summary>The listings' view of the catalog for the current caller (see <see cref="PermissionOptions.HideForbidden"/>).</summary>
internal sealed class VisibleBindings(PermissionEvaluator permissions, IServiceProvider services)
{
    public ValueTask<IReadOnlyList<T>> FilterAsync<T>(IReadOnlyList<T> items, Func<T, Type> requestTypeOf, CancellationToken cancellationToken) =>
        permissions.HidesForbidden
            ? permissions.VisibleAsync(items, requestTypeOf, services.GetRequiredService<ICurrentUser>(), services, cancellationToken)
            : ValueTask.FromResult(items);
}
