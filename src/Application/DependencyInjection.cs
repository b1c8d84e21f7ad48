using System.Text.Json;
using FluentValidation;
using McpCqrs.Application.Common.Querying;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpCqrs.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the application layer: validators and the clock. The mediator itself (and the order of its
    /// pipeline behaviors) is registered by the host, because its source generator runs in the host project.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        // Messages name fields as callers write them in JSON ('title', not 'Title').
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        // A validator without constructor dependencies holds no per-call state: one shared instance serves every
        // call (an AbstractValidator builds its rules in its constructor). One with dependencies lives in the
        // scope, as they may (the envelope validators read the caller's scope).
        var assembly = typeof(DependencyInjection).Assembly;
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Singleton, result => !HasDependencies(result.ValidatorType), includeInternalTypes: true);
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Scoped, result => HasDependencies(result.ValidatorType), includeInternalTypes: true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new Common.Security.PermissionOptions());
        services.TryAddSingleton<Common.Security.PermissionEvaluator>();
        services.TryAddScoped<Common.Security.VisibleBindings>();
        services.TryAddSingleton<IQueryEngine, GridifyQueryEngine>();
        services.TryAddSingleton(new QueryingOptions());
        return services;
    }

    private static bool HasDependencies(Type validatorType) =>
        validatorType.GetConstructors().All(constructor => constructor.GetParameters().Length > 0);
}
