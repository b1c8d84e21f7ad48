using System.Globalization;
using System.Net;
using McpCqrs.Mcp.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>
/// Bound from <c>ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// are believed (ASP.NET Core's forwarded-headers middleware). With none listed the headers are ignored and the client
/// address is the connection's; a header from any other address is ignored too, so a caller cannot pick the address
/// its limits are counted under.
/// </summary>
public sealed class ProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of the proxies (e.g. <c>10.0.0.5</c>, <c>fd00::5</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of the proxies in CIDR notation (e.g. <c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>
    /// How many proxies, from the right of <c>X-Forwarded-For</c>, are read (default 1: one proxy in front). Each hop
    /// is believed only while the address it came from is a known proxy.
    /// </summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>Whether any proxy is configured (the middleware runs only then).</summary>
    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

internal static class KnownProxies
{
    private const int MostHops = 20;

    /// <summary>Binds <see cref="ProxyOptions"/>, validated at start, and the forwarded-headers options from them.</summary>
    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, configured) =>
        {
            var proxies = configured.Value;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = proxies.ForwardLimit;

            // Only what is configured: not even the loopback proxy the middleware trusts by default.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy.Trim()));
            }

            foreach (var network in proxies.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
            }
        });
        return services;
    }

    /// <summary>The forwarded-headers middleware, when proxies are configured (with none, it would believe anyone).</summary>
    public static WebApplication UseKnownProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>Every entry must parse, and the old blanket switch is refused unless proxies are named.</summary>
    private sealed class ProxyOptionsValidator(IOptions<RateLimitingOptions> rateLimiting) : IValidateOptions<ProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyOptions options)
        {
            var errors = new List<string>();
            for (var i = 0; i < options.KnownProxies.Count; i++)
            {
                var entry = options.KnownProxies[i];
                if (entry is null || entry.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(entry.Trim(), out _))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{ProxyOptions.SectionName}:KnownProxies:{i} '{entry}' is not an IP address: write one proxy's address (e.g. 10.0.0.5 or fd00::5); a range goes in {ProxyOptions.SectionName}:KnownNetworks."));
                }
            }

            for (var i = 0; i < options.KnownNetworks.Count; i++)
            {
                var entry = options.KnownNetworks[i];
                if (!IsNetwork(entry))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{ProxyOptions.SectionName}:KnownNetworks:{i} '{entry}' is not a network in CIDR notation: write an address and a prefix length with no address bits set past it (e.g. 10.0.0.0/8 or fd00::/8)."));
                }
            }

            if (options.ForwardLimit is < 1 or > MostHops)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{ProxyOptions.SectionName}:ForwardLimit must be between 1 and {MostHops} (was {options.ForwardLimit}): the number of proxies in front of this host."));
            }

            if (rateLimiting.Value.TrustForwardedHeaders && !options.Any)
            {
                errors.Add(
                    $"{RateLimitingOptions.SectionName}:TrustForwardedHeaders=true would believe X-Forwarded-For from any caller (who could then choose the address its limits count): " +
                    $"list the proxies that set it in {ProxyOptions.SectionName}:KnownProxies (addresses) or {ProxyOptions.SectionName}:KnownNetworks (CIDR networks), " +
                    $"or remove {RateLimitingOptions.SectionName}:TrustForwardedHeaders.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        /// <summary>
        /// A CIDR network whose address is the network's own: <c>10.0.0.5/8</c> (which the runtime would read as
        /// <c>10.0.0.0/8</c>) is refused, since it is as likely to mean the one proxy <c>10.0.0.5</c>.
        /// </summary>
        private static bool IsNetwork(string? entry) =>
            entry is not null
            && System.Net.IPNetwork.TryParse(entry.Trim(), out var network)
            && IPAddress.TryParse(entry.Trim().Split('/')[0], out var written)
            && network.BaseAddress.Equals(written);
    }
}
