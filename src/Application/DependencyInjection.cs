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
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Scoped, includeInternalTypes: true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IQueryEngine, GridifyQueryEngine>();
        services.TryAddSingleton(new QueryingOptions());
        return services;
    }
}
