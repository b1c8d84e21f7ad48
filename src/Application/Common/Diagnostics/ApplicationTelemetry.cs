using System.Diagnostics;

namespace McpCqrs.Application.Common.Diagnostics;

/// <summary>The project's <see cref="ActivitySource"/>: one span per mediator request (and, in the web layer, per call).</summary>
public static class ApplicationTelemetry
{
    public const string SourceName = "McpCqrs";

    public static readonly ActivitySource Source = new(SourceName, typeof(ApplicationTelemetry).Assembly.GetName().Version?.ToString());
}
