using McpCqrs.Mcp.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace McpCqrs.Web;

/// <summary>
/// OpenTelemetry wiring. Switched on by <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (traces and metrics go to that OTLP
/// endpoint; the standard <c>OTEL_*</c> variables tune it) or by <c>Telemetry:Enabled</c> (for a host that adds its
/// own exporter). Otherwise nothing is registered: no listener, so the project's spans and measurements cost a
/// branch each.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddMcpTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(otlp) && !configuration.GetValue<bool>("Telemetry:Enabled"))
        {
            return services;
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] ?? "mcpcqrs",
                serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(ApplicationTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddRedisInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(ApplicationTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            builder.UseOtlpExporter();
        }

        return services;
    }
}
