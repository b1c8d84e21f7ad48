using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// Creates, or brings up to date, the clients of <c>Auth:Clients</c> at start-up (after the database is migrated):
/// a client with a secret is confidential and uses client credentials (and the code flow when it has redirect URIs);
/// one without is public and uses the authorization code flow with PKCE.
/// </summary>
internal sealed partial class ClientRegistrar(IServiceScopeFactory scopes, IOptions<AuthOptions> options, SupportedScopes supported, ILogger<ClientRegistrar> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Clients.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        try
        {
            foreach (var client in options.Value.Clients)
            {
                var descriptor = Describe(client, supported);
                if (await manager.FindByClientIdAsync(client.ClientId, cancellationToken) is { } existing)
                {
                    await manager.UpdateAsync(existing, descriptor, cancellationToken);
                }
                else
                {
                    await manager.CreateAsync(descriptor, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            LogNoSchema(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A database error (the store package's: EF Core's <c>DbUpdateException</c>, which this package does not reference, or ADO.NET's).</summary>
    private static bool IsStoreFailure(Exception ex)
    {
        for (var type = ex.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName == "Microsoft.EntityFrameworkCore.DbUpdateException")
            {
                return true;
            }
        }

        return ex is System.Data.Common.DbException;
    }

    /// <summary>
    /// The client as OpenIddict stores it. A confidential client may introspect and, when
    /// <paramref name="clientCredentials"/> (configured clients; not self-registered ones), use client credentials.
    /// </summary>
    internal static OpenIddictApplicationDescriptor Describe(ClientDefinition client, SupportedScopes supported, bool clientCredentials = true)
    {
        var confidential = !string.IsNullOrEmpty(client.ClientSecret);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = confidential ? client.ClientSecret : null,
            ClientType = confidential ? ClientTypes.Confidential : ClientTypes.Public,
            DisplayName = client.DisplayName ?? client.ClientId,
            ConsentType = ConsentTypes.Explicit,
        };
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.Endpoints.Revocation);
        if (confidential)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
            if (clientCredentials)
            {
                descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
            }
        }

        if (client.RedirectUris.Count > 0)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.GrantTypes.AuthorizationCode);
            descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            foreach (var uri in client.RedirectUris)
            {
                descriptor.RedirectUris.Add(uri);
            }
        }

        foreach (var scope in client.Scopes.Count > 0 ? client.Scopes : supported.All)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        return descriptor;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The OAuth clients of Auth:Clients could not be registered: is the database (OpenIddict's tables, through UseEntityFrameworkCore) created and migrated?")]
    private static partial void LogNoSchema(ILogger logger, Exception exception);
}
