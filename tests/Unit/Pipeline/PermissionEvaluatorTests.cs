using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Tests.Unit.Pipeline;

[McpTool("perm_scoped")]
[ScopeRequired("a:read", "a:write")]
public sealed record PermScoped : ICommand<int>;

[McpTool("perm_roles")]
[RoleRequired("agent", "admin")]
[RoleRequired("staff")]
public sealed record PermRoles : ICommand<int>;

[McpTool("perm_policy")]
[PolicyRequired("business-hours")]
public sealed record PermPolicy(int Hour) : ICommand<int>;

[McpTool("perm_custom")]
[PermissionRequired<OwnTicketsOnly>]
public sealed record PermCustom(string Owner) : ICommand<int>;

[McpTool("perm_open")]
public sealed record PermOpen : ICommand<int>;

/// <summary>Grants a call only when the request's owner is the caller.</summary>
public sealed class OwnTicketsOnly : IMcpPermission
{
    public ValueTask<string?> CheckAsync(PermissionContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Request is PermCustom custom && custom.Owner != context.User.Id ? $"only {custom.Owner} may do this" : null);
}

/// <summary>A policy evaluator that allows "business-hours" between 9 and 17 (the request's hour).</summary>
internal sealed class HourPolicy : IPolicyEvaluator
{
    public ValueTask<bool> IsAllowedAsync(string policy, object? resource, CancellationToken cancellationToken) =>
        ValueTask.FromResult(policy == "business-hours" && resource is PermPolicy { Hour: >= 9 and < 17 });
}

public sealed class PermissionEvaluatorTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSingleton<IPolicyEvaluator, HourPolicy>().BuildServiceProvider();

    private static ValueTask<string?> Check(object request, ICurrentUser user, PermissionOptions? options = null) =>
        new PermissionEvaluator(options ?? new PermissionOptions()).CheckAsync(request.GetType(), request, user, Services, CancellationToken.None);

    private static TestUser User(string[]? scopes = null, string[]? roles = null) =>
        new("u1") { Scopes = new HashSet<string>(scopes ?? []), Roles = new HashSet<string>(roles ?? []) };

    [Fact]
    public async Task Every_scope_of_a_binding_is_needed_and_the_refusal_names_the_missing_one()
    {
        Assert.Null(await Check(new PermScoped(), User(["a:read", "a:write", "b"])));
        Assert.Equal("the token lacks the scope a:write", await Check(new PermScoped(), User(["a:read"])));
    }

    [Fact]
    public async Task One_role_of_each_role_attribute_is_needed()
    {
        Assert.Null(await Check(new PermRoles(), User(roles: ["admin", "staff"])));
        Assert.NotNull(await Check(new PermRoles(), User(roles: ["admin"])));
        Assert.NotNull(await Check(new PermRoles(), User(roles: ["staff"])));
    }

    [Fact]
    public async Task A_policy_sees_the_request_as_its_resource()
    {
        Assert.Null(await Check(new PermPolicy(10), User()));
        Assert.Equal("the policy 'business-hours' refused the caller", await Check(new PermPolicy(22), User()));
    }

    [Fact]
    public async Task A_custom_permission_decides_from_the_request_and_the_caller()
    {
        Assert.Null(await Check(new PermCustom("u1"), User()));
        Assert.Equal("only u2 may do this", await Check(new PermCustom("u2"), User()));
    }

    [Fact]
    public async Task Configuration_adds_requirements_to_a_binding_by_name()
    {
        var options = new PermissionOptions();
        options.Bindings["perm_open"] = new BindingPermissionOptions { Scopes = ["x:admin"], Roles = ["boss"] };

        Assert.Equal("the token lacks the scope x:admin", await Check(new PermOpen(), User(), options));
        Assert.NotNull(await Check(new PermOpen(), User(["x:admin"]), options));
        Assert.Null(await Check(new PermOpen(), User(["x:admin"], ["boss"]), options));
        Assert.Null(await Check(new PermOpen(), User()));
    }

    [Fact]
    public async Task Nothing_is_checked_when_permissions_are_not_enforced()
    {
        Assert.Null(await Check(new PermScoped(), User(), new PermissionOptions { Enforce = false }));
    }

    [Fact]
    public async Task The_behavior_refuses_with_the_bindings_scopes_before_the_handler_runs()
    {
        var behavior = new AuthorizationBehavior<PermScoped, int>(new PermissionEvaluator(new PermissionOptions()), User(["a:read"]), Services);
        var called = false;

        var refused = await Assert.ThrowsAsync<ForbiddenAccessException>(async () => await behavior.Handle(new PermScoped(), (_, _) => { called = true; return ValueTask.FromResult(1); }, default));

        Assert.False(called);
        Assert.Equal("perm_scoped", refused.Binding);
        Assert.Equal(["a:read", "a:write"], refused.RequiredScopes);
    }

    [Fact]
    public async Task Listings_hide_what_the_caller_may_not_call_only_when_asked_to()
    {
        Type[] types = [typeof(PermScoped), typeof(PermOpen), typeof(PermRoles)];
        var user = User(["a:read", "a:write"]);

        var all = await new PermissionEvaluator(new PermissionOptions()).VisibleAsync(types, t => t, user, Services, default);
        Assert.Equal(types, await new VisibleBindings(new PermissionEvaluator(new PermissionOptions()), Services).FilterAsync(types, t => t, default));
        Assert.Equal([typeof(PermScoped), typeof(PermOpen)], all);
    }
}
