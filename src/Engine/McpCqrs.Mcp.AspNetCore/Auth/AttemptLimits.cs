using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using McpCqrs.Mcp.RateLimiting;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

internal static partial class AuthorizationServerEndpoints
{
    public static void MapAuthorizationServer(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).ExcludeFromDescription();
        group.MapGet(Authorize, AuthorizeAsync);
        group.MapPost(Authorize, AuthorizeAsync).RequireRateLimiting(AttemptsPolicy);
        group.MapPost(Token, TokenAsync);
        if (routes.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.DynamicClientRegistration)
        {
            group.MapPost(Register, ClientRegistration.RegisterAsync).RequireRateLimiting(AttemptsPolicy);
        }
    }

    /// <summary>
    /// The limits of the requests that take guesses: a fixed window per client address over the sign-in posts and
    /// registrations (ASP.NET Core's rate limiter, <c>Auth:AttemptsPerMinute</c>), and the token endpoint's limits
    /// per client id and per client address (<see cref="TokenRequestLimits"/>, <c>Auth:Limits</c>). Refusals are 429
    /// with <c>Retry-After</c>.
    /// </summary>
    public static IServiceCollection AddAttemptLimits(this IServiceCollection services, AuthOptions options)
    {
        services.AddOptions<AuthLimitsOptions>()
            .BindConfiguration(AuthLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TokenRequestLimits>();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = TokenRequestLimits.Seconds(retryAfter);
                }

                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(AttemptsPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.KeyOf(http.Connection.RemoteIpAddress) ?? "unknown",
                _ => TokenRequestLimits.PerMinuteWindow(options.AttemptsPerMinute)));
        });
    }

    /// <summary>
    /// Puts <see cref="TokenRequestLimits"/> in front of the token endpoint. It must come before authentication:
    /// OpenIddict answers token requests, failed client authentications included, inside the authentication step.
    /// Nothing happens when the embedded server is not in use.
    /// </summary>
    public static IApplicationBuilder UseTokenRequestLimits(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<TokenRequestLimits>() is not { } limits)
        {
            return app;
        }

        return app.UseWhen(http => TokenRequestLimits.IsLimited(http.Request.Path), branch => branch.Use(limits.InvokeAsync));
    }
}

/// <summary>
/// The limits of the endpoints where clients authenticate (token, revocation, introspection): per client address
/// (<see cref="ClientAddress.KeyOf(System.Net.IPAddress?)"/>), then per client id, for requests that carry a client
/// credential, on every request and on failed client authentications (<see cref="AuthLimitsOptions"/>); a refusal is
/// 429 with <c>Retry-After</c> and an OAuth error body. The counting is System.Threading.RateLimiting's; this class
/// only picks the partitions, which ASP.NET Core's rate-limiter middleware cannot: it runs after authentication
/// (where OpenIddict has already answered) and picks a partition synchronously, before the form holding the client
/// id is read.
/// </summary>
/// <remarks>
/// The error is <c>temporarily_unavailable</c> (RFC 6749 §4.1.2.1: the server cannot handle the request now because
/// of a temporary overload; retry later), not RFC 8628's <c>slow_down</c>, which tells a device-flow client that its
/// authorization is still pending and that it must poll 5 seconds slower from now on — neither holds here.
/// </remarks>
internal sealed partial class TokenRequestLimits : IDisposable
{
    /// <summary>Longer client ids (there are no such clients) are counted by their first characters.</summary>
    private const int MaxClientIdLength = 200;

    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perClient;
    private readonly PartitionedRateLimiter<string> _failuresPerClient;
    private readonly ILogger<TokenRequestLimits> _logger;

    public TokenRequestLimits(IOptions<AuthLimitsOptions> options, ILogger<TokenRequestLimits> logger)
    {
        var limits = options.Value;
        _perAddress = PerMinute(limits.TokenRequestsPerMinutePerAddress);
        _perClient = PerMinute(limits.TokenRequestsPerMinutePerClient);
        _failuresPerClient = PerMinute(limits.FailedClientAuthenticationsPerMinutePerClient);
        _logger = logger;
    }

    /// <summary>
    /// The endpoints where a client authenticates with its secret: the token endpoint, and revocation and
    /// introspection, whose answers tell a right secret from a wrong one just as well.
    /// </summary>
    public static bool IsLimited(PathString path) =>
        path.Value is { } value && value.TrimEnd('/') is var endpoint
        && (endpoint.Equals(AuthorizationServerEndpoints.Token, StringComparison.OrdinalIgnoreCase)
            || endpoint.Equals(AuthorizationServerEndpoints.Revoke, StringComparison.OrdinalIgnoreCase)
            || endpoint.Equals(AuthorizationServerEndpoints.Introspect, StringComparison.OrdinalIgnoreCase));

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        using (var byAddress = _perAddress.AttemptAcquire(ClientAddress.KeyOf(http.Connection.RemoteIpAddress) ?? "unknown"))
        {
            if (!byAddress.IsAcquired)
            {
                await RefuseAsync(http, byAddress, "Too many token requests from this address");
                return;
            }
        }

        var client = await ClientIdOfAsync(http.Request, http.RequestAborted);
        if (client is not null && !await IsConfidentialAsync(http, client))
        {
            // Only a confidential client has a secret to guess; counting anyone else by the id a request names
            // would let anyone lock that client out (a public one, e.g. a metadata-document client used by many).
            client = null;
        }

        if (client is not null)
        {
            // Asking for no permit tells whether any is left, without taking one.
            using (var failures = _failuresPerClient.AttemptAcquire(client, 0))
            {
                if (!failures.IsAcquired)
                {
                    await RefuseAsync(http, failures, "Too many failed client authentications for this client");
                    return;
                }
            }

            using var byClient = _perClient.AttemptAcquire(client);
            if (!byClient.IsAcquired)
            {
                await RefuseAsync(http, byClient, "Too many token requests for this client");
                return;
            }
        }

        await next(http);

        if (client is not null && http.GetOpenIddictServerResponse()?.Error == Errors.InvalidClient)
        {
            _failuresPerClient.AttemptAcquire(client).Dispose();
            if (_failuresPerClient.GetStatistics(client)?.CurrentAvailablePermits == 0)
            {
                LogClientLocked(_logger, client);
            }
        }
    }

    /// <summary>Whole seconds, rounded up, at least 1: what <c>Retry-After</c> says.</summary>
    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _perAddress.Dispose();
        _perClient.Dispose();
        _failuresPerClient.Dispose();
    }

    /// <summary>A one-minute fixed window of <paramref name="permits"/>, refusing (not queueing) the rest: every auth limit's shape.</summary>
    public static FixedWindowRateLimiterOptions PerMinuteWindow(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    /// <summary>A <see cref="PerMinuteWindow"/> per key.</summary>
    public static PartitionedRateLimiter<string> PerMinute(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => PerMinuteWindow(permits)));

    /// <summary>
    /// The client id a request authenticates as with a credential: the Basic user name (RFC 6749 §2.3.1:
    /// form-encoded, then Base64), else the form's <c>client_id</c> when the form carries <c>client_secret</c> or
    /// <c>client_assertion</c>. Null when there is none — a public client's request (it has no secret to guess, and
    /// counting it by the id it names would let anyone lock that client out) — or the request is malformed (OpenIddict
    /// then refuses it; the address limit still counted it). The form read here is the one OpenIddict reads.
    /// </summary>
    private static async Task<string?> ClientIdOfAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = credentials.IndexOf(':', StringComparison.Ordinal);
                return colon > 0 ? Key(Uri.UnescapeDataString(credentials[..colon].Replace('+', ' '))) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        if (!request.HasFormContentType)
        {
            return null;
        }

        try
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var credential = form.ContainsKey("client_secret") || form.ContainsKey("client_assertion");
            return credential && form["client_id"] is [{ Length: > 0 } id] ? Key(id) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="clientId"/> is a stored confidential client (OpenIddict caches the lookup it repeats).</summary>
    private static async ValueTask<bool> IsConfidentialAsync(HttpContext http, string clientId)
    {
        var applications = http.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.FindByClientIdAsync(clientId, http.RequestAborted) is { } application
            && await applications.HasClientTypeAsync(application, ClientTypes.Confidential, http.RequestAborted);
    }

    private static string Key(string clientId) => clientId.Length > MaxClientIdLength ? clientId[..MaxClientIdLength] : clientId;

    private static Task RefuseAsync(HttpContext http, RateLimitLease lease, string reason)
    {
        var retryAfter = Seconds(lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter;
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsJsonAsync(
            new Dictionary<string, string>
            {
                ["error"] = Errors.TemporarilyUnavailable,
                ["error_description"] = $"{reason}; retry after {retryAfter} s.",
            },
            http.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} failed client authentication at the token endpoint as often as Auth:Limits allows in a minute: its token requests are refused until the minute ends")]
    private static partial void LogClientLocked(ILogger logger, string clientId);
}
