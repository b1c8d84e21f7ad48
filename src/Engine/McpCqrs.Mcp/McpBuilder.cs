using System.Reflection;
using System.Text.Json;
using FluentValidation;
using McpCqrs.Mcp.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Mcp;

/// <summary>
/// What an application tells the engine at registration: its assemblies (marked requests, validators, declared rate
/// limits and scopes), explicit catalog registrations, and the stores of the packages it adds
/// (<c>UseRedis</c>, <c>UseEntityFrameworkCore</c>). One per service collection: <see cref="For"/> returns it.
/// </summary>
public sealed class McpBuilder
{
    private readonly List<Assembly> _assemblies = [];

    private McpBuilder(IServiceCollection services, McpCatalogBuilder catalog)
    {
        Services = services;
        Catalog = catalog;
    }

    public IServiceCollection Services { get; }

    /// <summary>Tools, resources, prompts and app views registered in code (they come before the marked ones).</summary>
    public McpCatalogBuilder Catalog { get; }

    /// <summary>The application's assemblies, in the order they were added.</summary>
    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    /// <summary>The builder of <paramref name="services"/>, created (and registered) on first use.</summary>
    public static McpBuilder For(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(McpBuilder))?.ImplementationInstance is McpBuilder existing)
        {
            return existing;
        }

        var builder = new McpBuilder(services, new McpCatalogBuilder());
        services.AddSingleton(builder);
        services.AddSingleton(builder.Catalog);

        // What the application's validators and behaviors may ask for, whichever host runs them.
        AddValidators(services, typeof(McpBuilder).Assembly);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new Security.PermissionOptions());
        services.TryAddSingleton<Security.PermissionEvaluator>();
        services.TryAddScoped<Security.VisibleBindings>();
        services.TryAddSingleton<Querying.IQueryEngine, Querying.GridifyQueryEngine>();
        services.TryAddSingleton(new Querying.QueryingOptions());
        return builder;
    }

    /// <summary>
    /// Adds the application's <paramref name="assembly"/>: its <c>[McpTool]</c>, <c>[McpSelector]</c>,
    /// <c>[McpResource]</c> and <c>[McpPrompt]</c> requests join the catalog, its FluentValidation validators are
    /// registered (see <see cref="AddValidators"/>), and its <c>[RateLimit]</c> and permission attributes are read.
    /// Adding an assembly twice changes nothing.
    /// </summary>
    public McpBuilder AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        EnsureOpen($"AddAssembly({assembly.GetName().Name})");
        if (!_assemblies.Contains(assembly))
        {
            _assemblies.Add(assembly);
            AddValidators(Services, assembly);
        }

        return this;
    }

    /// <summary>Whether the server's registration has read the builder (what is added later would be half-applied).</summary>
    internal bool IsSealed { get; private set; }

    /// <summary>Called by the server's registration once it has read the assemblies and the stores.</summary>
    internal void Seal() => IsSealed = true;

    /// <summary>
    /// Refuses a change that the server's registration would no longer see (an assembly's scopes, a store that
    /// replaces an in-memory default, the choice of cross-instance relays).
    /// </summary>
    internal void EnsureOpen(string change)
    {
        if (IsSealed)
        {
            throw new InvalidOperationException(
                $"{change} came after AddMcpServer, which has already read the assemblies and stores: call it before AddMcpServer or in its configure callback.");
        }
    }

    /// <summary>Registers explicit catalog entries (<see cref="McpCatalogBuilder.AddTool{TRequest}"/> and the like).</summary>
    public McpBuilder AddCatalog(Action<McpCatalogBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(Catalog);
        return this;
    }

    /// <summary>
    /// The validators of <paramref name="assembly"/>, once per service collection. A validator without constructor
    /// dependencies holds no per-call state: one shared instance serves every call (an <c>AbstractValidator</c>
    /// builds its rules in its constructor). One with dependencies is transient: a call resolves it once, its scoped
    /// dependencies stay the scope's, and it takes no entry in the scope's cache (nor does the list of them). Messages name
    /// fields as callers write them in JSON (<c>title</c>, not <c>Title</c>).
    /// </summary>
    public static IServiceCollection AddValidators(IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(assembly);
        if (services.Any(d => d.ServiceType == typeof(ValidatorsOf) && ((ValidatorsOf?)d.ImplementationInstance)?.Assembly == assembly))
        {
            return services;
        }

        services.AddSingleton(new ValidatorsOf(assembly));
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Singleton, result => !HasDependencies(result.ValidatorType), includeInternalTypes: true);
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Transient, result => HasDependencies(result.ValidatorType), includeInternalTypes: true);
        return services;
    }

    private static bool HasDependencies(Type validatorType) =>
        validatorType.GetConstructors().All(constructor => constructor.GetParameters().Length > 0);

    /// <summary>Marks an assembly whose validators are registered.</summary>
    private sealed record ValidatorsOf(Assembly Assembly);
}
