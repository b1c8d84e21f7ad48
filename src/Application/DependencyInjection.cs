using System.Text.Json;
using FluentValidation;
using McpCqrs.Application.Common.Querying;
using McpCqrs.Application.Mcp.External;
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
        // The validators of this assembly hold no per-call state: one instance each serves every call (an
        // AbstractValidator builds its rules in its constructor). The envelope validators read the caller's
        // scope, so they are scoped.
        services.AddValidatorsFromAssembly(
            typeof(DependencyInjection).Assembly,
            ServiceLifetime.Singleton,
            filter: result => !IsEnvelopeValidator(result.ValidatorType),
            includeInternalTypes: true);
        services.AddScoped<IValidator<ExternalRequest>, ExternalRequestValidator>();
        services.AddScoped<IValidator<ExternalQuery>, ExternalQueryValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IQueryEngine, GridifyQueryEngine>();
        services.TryAddSingleton(new QueryingOptions());
        return services;
    }

    private static bool IsEnvelopeValidator(Type type) =>
        type.BaseType is { IsGenericType: true } baseType && baseType.GetGenericTypeDefinition() == typeof(CarriedRequestValidator<>);
}
