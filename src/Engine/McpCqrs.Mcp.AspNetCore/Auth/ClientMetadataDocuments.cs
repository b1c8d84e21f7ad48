using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// OAuth Client ID Metadata Documents on the embedded server: a <c>client_id</c> that is an https URL is fetched
/// (<see cref="ClientMetadataDocumentFetcher"/>), checked (<see cref="ClientMetadataDocument"/>) and stored as an
/// OpenIddict client (public, authorization code with PKCE and refresh tokens, its redirect URIs, the supported
/// scopes it names) before OpenIddict looks the client up, so OpenIddict's own checks (redirect URI, PKCE, grant
/// types, scopes) apply unchanged. The outcome is kept in memory per URL for as long as the document's caching
/// headers allow (within the configured bounds); a refresh that finds a changed document updates the stored client.
/// A client id already configured or registered in another way is left alone. Written here because OpenIddict has
/// no support for these documents.
/// </summary>
public sealed partial class ClientMetadataDocuments(
    ClientMetadataDocumentFetcher fetcher,
    IOptions<ClientMetadataDocumentOptions> options,
    SupportedScopes supported,
    IServiceScopeFactory scopes,
    ILogger<ClientMetadataDocuments> logger) : IDisposable
{
    /// <summary>The authorization server metadata member that advertises the support.</summary>
    public const string SupportedMetadata = "client_id_metadata_document_supported";

    /// <summary>The stored client's property that marks it as made from a document (its value: a SHA-256 of the document and the supported scopes).</summary>
    public const string DocumentProperty = "client_id_metadata_document";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetchSlots = new(options.Value.MaxConcurrentFetches, options.Value.MaxConcurrentFetches);
    private readonly System.Threading.RateLimiting.PartitionedRateLimiter<string> _fetchesPerAddress = TokenRequestLimits.PerMinute(options.Value.FetchesPerMinutePerAddress);

    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// Makes sure the client <paramref name="clientId"/> (a document URL) is stored and up to date: null when it may
    /// be used, else why not (a sentence for the <c>error_description</c>). Concurrent calls for one URL share a fetch;
    /// a new fetch counts against the caller's address (<paramref name="caller"/>, <see cref="ClientMetadataDocumentOptions.FetchesPerMinutePerAddress"/>).
    /// </summary>
    public async Task<string?> EnsureClientAsync(string clientId, System.Net.IPAddress? caller, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(clientId, out string? problem))
        {
            return problem;
        }

        if (!_inFlight.ContainsKey(clientId))
        {
            using var permit = _fetchesPerAddress.AttemptAcquire(McpCqrs.Mcp.RateLimiting.ClientAddress.KeyOf(caller) ?? "unknown");
            if (!permit.IsAcquired)
            {
                return $"The client's metadata document at {clientId} cannot be fetched now: too many new documents were asked for from this address; retry in a minute.";
            }
        }

        var resolution = _inFlight.GetOrAdd(clientId, id => new Lazy<Task<string?>>(() => ResolveAsync(id)));
        return await resolution.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="clientId"/> is a client stored from a document: with documents switched off such a client
    /// is refused, not used with its last-fetched redirect URIs.
    /// </summary>
    public async Task<bool> IsStoredFromDocumentAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application
            && (await applications.GetPropertiesAsync(application, cancellationToken)).ContainsKey(DocumentProperty);
    }

    /// <summary>The host the sign-in page names beside a document client's name; null for other clients.</summary>
    public static async Task<string?> HostOfAsync(IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return properties.ContainsKey(DocumentProperty)
            && await applications.GetClientIdAsync(application, cancellationToken) is { } clientId
            && Uri.TryCreate(clientId, UriKind.Absolute, out var url)
            ? ClientMetadataDocument.HostOf(url)
            : null;
    }

    /// <summary>Adds <c>client_id_metadata_document_supported: true</c> to the authorization server metadata when enabled.</summary>
    public static void Advertise(HandleConfigurationRequestContext context)
    {
        if (context.Transaction.GetHttpRequest()?.HttpContext.RequestServices.GetService<ClientMetadataDocuments>() is { Enabled: true })
        {
            context.Metadata[SupportedMetadata] = true;
        }
    }

    /// <summary>The stored client a document describes.</summary>
    public static OpenIddictApplicationDescriptor Describe(ClientMetadataDocument document, string hash, IEnumerable<string> supportedScopes)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = document.ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = document.ClientName ?? ClientMetadataDocument.HostOf(new Uri(document.ClientId)),
            ConsentType = ConsentTypes.Explicit,
        };
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Authorization,
            Permissions.Endpoints.Token,
            Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode,
            Permissions.GrantTypes.RefreshToken,
            Permissions.ResponseTypes.Code,
        ]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        descriptor.RedirectUris.UnionWith(document.RedirectUris);
        descriptor.Permissions.UnionWith((document.Scopes ?? supportedScopes).Select(s => Permissions.Prefixes.Scope + s));
        descriptor.Properties[DocumentProperty] = JsonSerializer.SerializeToElement(hash);
        return descriptor;
    }

    private async Task<string?> ResolveAsync(string clientId)
    {
        var settings = options.Value;
        string? problem = null;
        var lifetime = settings.MinCacheLifetime;
        var settled = false; // an unexpected failure (the database, say) is not remembered: the next request tries again
        try
        {
            // Not the caller's token: other requests may be waiting on this fetch; the fetch has its own timeout.
            var cancellationToken = CancellationToken.None;
            await using var scope = scopes.CreateAsyncScope();
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var existing = await applications.FindByClientIdAsync(clientId, cancellationToken);
            var stored = existing is null ? null : await applications.GetPropertiesAsync(existing, cancellationToken);
            if (stored is not null && !stored.ContainsKey(DocumentProperty))
            {
                settled = true;
                return null; // configured or registered another way: OpenIddict treats it as usual
            }

            var url = ClientMetadataDocument.ParseUrl(clientId, fetcher.AllowLoopback);
            if (!await _fetchSlots.WaitAsync(TimeSpan.Zero, cancellationToken))
            {
                // Not remembered (settled stays false): a retry may find a free slot.
                return $"The client's metadata document at {clientId} cannot be fetched now: the server is fetching as many documents as it allows at once; retry shortly.";
            }

            FetchedDocument fetched;
            try
            {
                fetched = await fetcher.FetchAsync(url, cancellationToken);
            }
            finally
            {
                _fetchSlots.Release();
            }

            var document = ClientMetadataDocument.Parse(clientId, fetched.Body, supported.All);
            // The document and the scopes this server supports make the stored client: a change in either updates it.
            var hash = Convert.ToHexStringLower(SHA256.HashData([.. fetched.Body, .. System.Text.Encoding.UTF8.GetBytes("\n" + string.Join(' ', supported.All))]));
            lifetime = fetched.Lifetime;
            if (stored is not null && stored[DocumentProperty].ValueKind == JsonValueKind.String && stored[DocumentProperty].GetString() == hash)
            {
                settled = true;
                return null; // unchanged since it was stored
            }

            await StoreAsync(applications, existing, Describe(document, hash, supported.All), cancellationToken);
            LogStored(logger, clientId, document.ClientName, lifetime);
            settled = true;
            return null;
        }
        catch (ClientMetadataDocumentException ex)
        {
            problem = $"The client's metadata document at {clientId} {ex.Message}";
            LogRefused(logger, clientId, ex.Detail is null ? ex.Message : $"{ex.Message} ({ex.Detail})");
            settled = true;
            return problem;
        }
        finally
        {
            if (settled)
            {
                _cache.Set(clientId, problem, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime > TimeSpan.Zero ? lifetime : TimeSpan.FromTicks(1) });
            }

            _inFlight.TryRemove(clientId, out _);
        }
    }

    /// <summary>Creates or updates the client; another instance may create it at the same time, then this one updates it.</summary>
    private static async Task StoreAsync(IOpenIddictApplicationManager applications, object? existing, OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
            return;
        }

        try
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var created = await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
            if (created is null)
            {
                throw;
            }

            await applications.UpdateAsync(created, descriptor, cancellationToken);
        }
    }

    public void Dispose()
    {
        _cache.Dispose();
        _fetchSlots.Dispose();
        _fetchesPerAddress.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client metadata document {ClientId} ({ClientName}) stored as a client; kept for {Lifetime}.")]
    private static partial void LogStored(ILogger logger, string clientId, string? clientName, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client metadata document {ClientId} refused: it {Reason}")]
    private static partial void LogRefused(ILogger logger, string clientId, string reason);
}

/// <summary>
/// Runs before OpenIddict looks up the client of an authorization, token, revocation or introspection request: a
/// URL <c>client_id</c> gets its stored client from the document first; a document that cannot be used, or client
/// credentials asked for by such a client, end the request with a clear error (never a redirect: the redirect URI
/// is not validated yet).
/// </summary>
public sealed class ClientMetadataDocumentHandler(ClientMetadataDocuments documents) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
        .UseSingletonHandler<ClientMetadataDocumentHandler>()
        .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 500)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var clientId = context.Request?.ClientId;
        if (!ClientMetadataDocument.IsUrl(clientId))
        {
            return;
        }

        var error = context.EndpointType == OpenIddictServerEndpointType.Authorization ? Errors.InvalidRequest : Errors.InvalidClient;
        if (!documents.Enabled)
        {
            if (await documents.IsStoredFromDocumentAsync(clientId!, context.CancellationToken))
            {
                context.Reject(error, $"This server does not accept clients identified by a metadata document ({clientId}).");
            }

            return;
        }

        if (context.Request!.IsClientCredentialsGrantType())
        {
            context.Reject(Errors.UnauthorizedClient, $"A client identified by a metadata document ({clientId}) is public: it cannot use client credentials.");
            return;
        }

        var caller = context.Transaction.GetHttpRequest()?.HttpContext.Connection.RemoteIpAddress;
        if (await documents.EnsureClientAsync(clientId!, caller, context.CancellationToken) is { } problem)
        {
            context.Reject(error, problem);
        }
    }
}

public static class ClientMetadataDocumentSetup
{
    /// <summary>The options, fetcher, cache and OpenIddict handler of client metadata documents (embedded server only).</summary>
    public static IServiceCollection AddClientMetadataDocuments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClientMetadataDocumentOptions>().Bind(configuration.GetSection(ClientMetadataDocumentOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientMetadataDocumentFetcher>();
        services.TryAddSingleton<ClientMetadataDocuments>();
        services.TryAdd(ClientMetadataDocumentHandler.Descriptor.ServiceDescriptor);
        services.Configure<OpenIddictServerOptions>(o => o.Handlers.Add(ClientMetadataDocumentHandler.Descriptor));
        return services;
    }
}
