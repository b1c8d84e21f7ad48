using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Tests.Unit.Mcp;
using McpCqrs.Web.Apps;

namespace McpCqrs.Tests.Unit.Pipeline;

/// <summary>
/// Which bindings <see cref="PermissionGuard"/> finds unguarded, and when it stops the start. The check is about the
/// declaration: a binding with a permission (attribute or configuration) or marked public passes, enforced or not.
/// </summary>
public sealed class PermissionGuardTests
{
    private static McpCatalog Catalog(bool markPublic = false) => new(
        [
            new ToolRegistration(typeof(PermOpen), "perm_open", Public: markPublic),
            new ToolRegistration(typeof(PermScoped), "perm_scoped"),
            new ToolRegistration(typeof(OlPage), "ol_page", Public: markPublic),
        ],
        [new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Public: markPublic)],
        [new PromptRegistration(typeof(QsSummarize), "summarize", Public: markPublic)],
        _ => []);

    [Fact]
    public void Each_binding_without_a_permission_is_named_with_its_kind_type_and_configuration_key()
    {
        var unguarded = PermissionGuard.Unguarded(Catalog(), new PermissionEvaluator(new PermissionOptions()));

        Assert.Equal(4, unguarded.Count);
        Assert.Contains(unguarded, u => u.StartsWith("tool 'perm_open' (", StringComparison.Ordinal) && u.Contains("Authorization:Bindings:perm_open", StringComparison.Ordinal));
        Assert.Contains(unguarded, u => u.StartsWith("selector 'ol_page' (", StringComparison.Ordinal) && u.Contains(typeof(OlPage).FullName!, StringComparison.Ordinal));
        Assert.Contains(unguarded, u => u.StartsWith("resource 'docs://{id}' (", StringComparison.Ordinal) && u.Contains("Authorization:Bindings:QsGetDocument", StringComparison.Ordinal));
        Assert.Contains(unguarded, u => u.StartsWith("prompt 'summarize' (", StringComparison.Ordinal));
        Assert.DoesNotContain(unguarded, u => u.Contains("perm_scoped", StringComparison.Ordinal));
    }

    [Fact]
    public void Bindings_marked_public_are_not_unguarded() =>
        Assert.Empty(PermissionGuard.Unguarded(Catalog(markPublic: true), new PermissionEvaluator(new PermissionOptions())));

    [Fact]
    public void A_permission_from_configuration_only_guards_a_binding()
    {
        var options = new PermissionOptions();
        options.Bindings["perm_open"] = new BindingPermissionOptions { Scopes = ["x:write"] };
        options.Bindings["OlPage"] = new BindingPermissionOptions { Roles = ["agent"] };
        options.Bindings["QsGetDocument"] = new BindingPermissionOptions { Policies = ["readers"] };
        options.Bindings["QsSummarize"] = new BindingPermissionOptions { Scopes = ["x:read"] };

        Assert.Empty(PermissionGuard.Unguarded(Catalog(), new PermissionEvaluator(options)));
    }

    [Fact]
    public void Outside_Development_the_start_stops_listing_every_unguarded_binding_and_what_to_do()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PermissionGuard.EnsureGuarded(Catalog(), new PermissionEvaluator(new PermissionOptions()), isDevelopment: false));

        Assert.StartsWith("4 MCP bindings declare no permission", error.Message, StringComparison.Ordinal);
        Assert.Contains("[ScopeRequired]", error.Message, StringComparison.Ordinal);
        Assert.Contains("Public = true", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowAny", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_Development_unguarded_bindings_are_allowed() =>
        PermissionGuard.EnsureGuarded(Catalog(), new PermissionEvaluator(new PermissionOptions()), isDevelopment: true);

    [Fact]
    public void When_permissions_are_not_enforced_the_declarations_are_still_required_and_the_error_says_why()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PermissionGuard.EnsureGuarded(Catalog(), new PermissionEvaluator(new PermissionOptions { Enforce = false }), isDevelopment: false));

        Assert.Contains("AllowAny", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_binding_of_the_sample_declares_a_permission()
    {
        var registrations = new McpCatalogBuilder().AddTicketBoard().AddFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        var catalog = new McpCatalog(registrations.Tools, registrations.Resources, registrations.Prompts, _ => []);

        Assert.NotEmpty(catalog.Tools);
        Assert.NotEmpty(catalog.Resources);
        Assert.NotEmpty(catalog.Prompts);
        Assert.Empty(PermissionGuard.Unguarded(catalog, new PermissionEvaluator(new PermissionOptions())));
        Assert.DoesNotContain(catalog.Tools, t => t.IsPublic);
    }
}
