using McpCqrs.Mcp.Security;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// What is open only in the Development environment: no authentication (<c>AllowAny</c>), permissions that are not
/// checked (<c>Authorization:Enforce=false</c>), a request-state key made per process. In any other environment the
/// start fails with a message that names the key and what to do, unless an escape hatch, named for what it does,
/// says that this host is meant to be open.
/// </summary>
internal static class SafeDefaults
{
    /// <summary>Throws when <paramref name="options"/> or <paramref name="permissions"/> would leave a non-Development host open.</summary>
    public static void EnsureClosedOutsideDevelopment(AuthOptions options, PermissionOptions permissions, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return;
        }

        if (options.Backend == AuthBackend.AllowAny && !AllowsAnyOutsideDevelopment(options))
        {
            throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions), [
                $"Auth:Backend is AllowAny (no authentication: every caller may call everything) and the environment is '{environment.EnvironmentName}', not Development. "
                + "Set Auth:Backend to OpenIddict or External; or, only for a host that no one else can reach (a benchmark, a test), set Auth:AllowAnyOutsideDevelopment=true."]);
        }

        // AllowAny turns enforcement off by itself; its own escape hatch covers that.
        if (options.Backend != AuthBackend.AllowAny && !permissions.Enforce && !permissions.AllowUnenforcedOutsideDevelopment)
        {
            throw new OptionsValidationException(PermissionOptions.SectionName, typeof(PermissionOptions), [
                $"Authorization:Enforce is false (permissions are not checked: every signed-in caller may call everything) and the environment is '{environment.EnvironmentName}', not Development. "
                + "Remove the setting; or, only for a host that no one else can reach (a benchmark, a test), set Authorization:AllowUnenforcedOutsideDevelopment=true."]);
        }
    }

    /// <summary><c>Auth:AllowAnyOutsideDevelopment</c>, or its former name <c>Auth:AllowAnyInProduction</c>.</summary>
    public static bool AllowsAnyOutsideDevelopment(AuthOptions options) => options.AllowAnyOutsideDevelopment || options.AllowAnyInProduction;

    /// <summary>Whether the deprecated <c>Auth:AllowAnyInProduction</c> is what lets this host start (a warning then names the new key).</summary>
    public static bool UsesDeprecatedAllowAny(AuthOptions options) => options.AllowAnyInProduction && !options.AllowAnyOutsideDevelopment;

    /// <summary>
    /// Whether clients may register themselves: <c>Auth:DynamicClientRegistration</c> when it is set, else on in
    /// Development only.
    /// </summary>
    public static bool DynamicClientRegistration(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>($"{AuthOptions.SectionName}:{nameof(AuthOptions.DynamicClientRegistration)}") ?? environment.IsDevelopment();
}

/// <summary>
/// Outside Development, <c>Mcp:RequestStateKey</c> must be set: a key made per process cannot open a 2026-07-28
/// <c>requestState</c> sealed by another instance or before a restart, so a client's <c>input_required</c> round would
/// fail for reasons it cannot see. Checked at start (the options are validated on start).
/// </summary>
internal sealed class RequestStateKeyRequired(IHostEnvironment environment) : IValidateOptions<McpProtocolOptions>
{
    public ValidateOptionsResult Validate(string? name, McpProtocolOptions options) =>
        environment.IsDevelopment() || !string.IsNullOrWhiteSpace(options.RequestStateKey)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Mcp:RequestStateKey is required outside Development (the environment is '{environment.EnvironmentName}'): it seals the 2026-07-28 requestState "
                + "and must be the same on every instance. Make one with: openssl rand -base64 32 — and set it, e.g. as the environment variable Mcp__RequestStateKey.");
}
