using McpCqrs.Domain.Common;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Exceptions;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the application layer with the MCP engine: its marked requests, validators and declared limits, and
    /// the domain's errors as application errors (their messages and codes reach the caller). The mediator itself
    /// (and the order of its pipeline behaviors) is registered by the host, because its source generator runs there.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        MapDomainErrors();
        McpBuilder.For(services).AddAssembly(typeof(DependencyInjection).Assembly);
        return services;
    }

    /// <summary>The domain's errors as application errors: their messages and codes reach the caller. Idempotent.</summary>
    public static void MapDomainErrors() =>
        ApplicationErrors.Map<DomainException>(e => new ApplicationError(KindOf(e.Kind), e.Code, e.Message, (e as InvalidDomainValueException)?.Field));

    private static ApplicationErrorKind KindOf(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.Invalid => ApplicationErrorKind.Invalid,
        DomainErrorKind.NotFound => ApplicationErrorKind.NotFound,
        _ => ApplicationErrorKind.Conflict,
    };
}
