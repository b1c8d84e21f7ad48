using System.Runtime.CompilerServices;

namespace McpCqrs.Tests.Unit;

/// <summary>
/// The desk maps its domain errors to application errors when it registers (<c>AddApplication</c>); a test that only
/// throws them must not depend on another test having registered first, so the map is set as the assembly loads.
/// </summary>
internal static class DomainErrors
{
    [ModuleInitializer]
    internal static void Map() => McpCqrs.Application.DependencyInjection.MapDomainErrors();
}
