using System.Reflection;
using System.Security.Cryptography;
using McpCqrs.Mcp.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// Authentication and permissions, chosen by <c>Auth:Backend</c>: the embedded OpenIddict authorization server
/// (default), an external one, or AllowAny (development only).
/// </summary>
public static partial class AuthSetup
{
    public static IServiceCollection AddMcpAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Registration's default depends on the environment; the options hold the effective value.
        var registration = SafeDefaults.DynamicClientRegistration(configuration, environment);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName))
            .PostConfigure(o => o.DynamicClientRegistration = registration)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        options.DynamicClientRegistration = registration;
        services.AddSingleton<IValidateOptions<McpProtocolOptions>>(new RequestStateKeyRequired(environment));
        ExternalJwt.FetchKeysBeforeValidating();

        var permissions = configuration.GetSection(PermissionOptions.SectionName).Get<PermissionOptions>() ?? new PermissionOptions();
        SafeDefaults.EnsureClosedOutsideDevelopment(options, permissions, environment);
        permissions.Enforce &= options.Backend != AuthBackend.AllowAny;
        services.Replace(ServiceDescriptor.Singleton(permissions));

        var scopes = new SupportedScopes([.. McpBuilder.For(services).Assemblies.SelectMany(assembly => DeclaredScopes(assembly, permissions)).Distinct(StringComparer.Ordinal)], options.Scopes);
        services.AddSingleton(scopes);
        services.AddSingleton(new ClaimMapper(options.Claims));
        services.AddSingleton<ProtectedResource>();
        services.AddScoped<IPolicyEvaluator, HttpPolicyEvaluator>();
        services.AddAuthorization();

        if (options.Backend == AuthBackend.AllowAny)
        {
            // No scheme: nothing to authenticate (a host may still add its own schemes; then the middleware runs).
            return services;
        }

        var resourceUrl = configuration.GetSection(McpTransportOptions.SectionName).Get<McpTransportOptions>()?.ResourceUrl;
        if (options.Backend == AuthBackend.External && resourceUrl is null)
        {
            // Without it any token the external server issued, for any API, would be accepted here.
            throw new OptionsValidationException(McpTransportOptions.SectionName, typeof(McpTransportOptions), [
                "Mcp:ResourceUrl is required when Auth:Backend is External: it is the audience a token must carry to be accepted here."]);
        }

        if (options.Backend == AuthBackend.External && options.Validation == TokenValidationMode.Jwks)
        {
            services.AddExternalJwt(options, resourceUrl!);
            return services;
        }

        var openIddict = services.AddOpenIddict();
        if (options.Backend == AuthBackend.OpenIddict)
        {
            var issuer = ProtectedResource.EmbeddedIssuer(options, resourceUrl);
            // Its stores come from a store package (UseEntityFrameworkCore); without one, OpenIddict stops the start.
            openIddict.AddCore();
            openIddict.AddServer(server => ConfigureServer(server, options, issuer, scopes, resourceUrl));
            services.AddScoped<IUserDirectory, ConfiguredUserDirectory>();
            services.AddHostedService<ClientRegistrar>();
            services.AddAttemptLimits(options);
            services.AddClientMetadataDocuments(configuration);
        }

        openIddict.AddValidation(validation =>
        {
            if (options.Backend == AuthBackend.OpenIddict)
            {
                validation.UseLocalServer();
                if (options.CheckTokenStatus)
                {
                    // A database read per request (the token entry, then its authorization): a revoked token, or one
                    // whose grant was revoked, is refused at once rather than at its expiry.
                    validation.EnableTokenEntryValidation().EnableAuthorizationEntryValidation();
                }
            }
            else
            {
                validation.SetIssuer(options.Authority!);
                if (options.Validation == TokenValidationMode.Introspection)
                {
                    validation.UseIntrospection().SetClientId(options.ClientId!).SetClientSecret(options.ClientSecret!);
                }

                validation.UseSystemNetHttp();
            }

            if (resourceUrl is not null)
            {
                validation.AddAudiences(resourceUrl.AbsoluteUri);
            }

            validation.UseAspNetCore()
                .DisableAccessTokenExtractionFromQueryString()
                .DisableAccessTokenExtractionFromBodyForm();
        });

        services.AddAuthentication(o => o.DefaultScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        return services;
    }

    private static void ConfigureServer(OpenIddictServerBuilder server, AuthOptions options, Uri? issuer, SupportedScopes scopes, Uri? resourceUrl)
    {
        if (issuer is not null)
        {
            server.SetIssuer(issuer);
        }

        server.SetAuthorizationEndpointUris(AuthorizationServerEndpoints.Authorize)
            .SetTokenEndpointUris(AuthorizationServerEndpoints.Token)
            .SetIntrospectionEndpointUris(AuthorizationServerEndpoints.Introspect)
            .SetRevocationEndpointUris(AuthorizationServerEndpoints.Revoke);
        server.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow();
        server.RequireProofKeyForCodeExchange();
        server.Configure(o => o.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        server.RegisterScopes([.. scopes.All]);
        List<string> resources = [.. options.Resources.Select(r => r.AbsoluteUri)];
        if (resourceUrl is not null)
        {
            resources.Add(resourceUrl.AbsoluteUri);
        }

        if (resources.Count > 0)
        {
            server.RegisterResources([.. resources.Distinct(StringComparer.Ordinal)]);
        }
        else
        {
            // Without Mcp:ResourceUrl the resource's URL is only known per request: any indicator is accepted into
            // the token's audience, and audiences are not checked (set Mcp:ResourceUrl in production).
            server.DisableResourceValidation();
        }

        // Every client may ask for this server's resources; unregistered ones are refused (invalid_target).
        server.IgnoreResourcePermissions();
        server.SetAccessTokenLifetime(options.AccessTokenLifetime);

        if (options.SigningKey is { Length: > 0 } signing)
        {
            server.AddSigningKey(new RsaSecurityKey(RsaFromPem(signing)));
        }
        else
        {
            server.AddEphemeralSigningKey();
        }

        if (options.EncryptionKey is { Length: > 0 } encryption)
        {
            server.AddEncryptionKey(new RsaSecurityKey(RsaFromPem(encryption)));
        }
        else
        {
            server.AddEphemeralEncryptionKey();
        }

        // Access tokens are signed JWTs, not encrypted: resource servers that trust this issuer read them with its JWKS.
        server.DisableAccessTokenEncryption();
        server.AddEventHandler<OpenIddictServerEvents.HandleConfigurationRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            // RFC 7591 registration, and "none" for the public clients that register themselves.
            if (options.DynamicClientRegistration)
            {
                context.Metadata["registration_endpoint"] = new Uri(context.Issuer ?? context.BaseUri!, AuthorizationServerEndpoints.Register.TrimStart('/')).AbsoluteUri;
            }

            context.TokenEndpointAuthenticationMethods.Add(ClientAuthenticationMethods.None);
            ClientMetadataDocuments.Advertise(context);
            return default;
        }).SetOrder(int.MaxValue - 100_000)); // after OpenIddict has set the issuer and its own metadata

        server.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableTokenEndpointPassthrough()
            .DisableTransportSecurityRequirement();
    }

    /// <summary>Every scope a request of <paramref name="assembly"/> requires, and those configured per binding.</summary>
    internal static IReadOnlyList<string> DeclaredScopes(Assembly assembly, PermissionOptions permissions) =>
    [
        .. assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<ScopeRequiredAttribute>())
            .SelectMany(a => a.Scopes)
            .Concat(permissions.Bindings.Values.SelectMany(b => b.Scopes))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal),
    ];

    private static RSA RsaFromPem(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }

    /// <summary>
    /// Authentication, the authorization server's endpoints, the protected resource metadata, and the door in front
    /// of <c>/mcp</c> and <c>/api</c>: a request without a valid token gets 401 before any session is looked up.
    /// </summary>
    public static WebApplication UseMcpAuth(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var resource = app.Services.GetRequiredService<ProtectedResource>();
        RequireKnownBindings(app.Services);
        if (options.Backend == AuthBackend.AllowAny)
        {
            LogAllowAny(app.Logger);
            if (SafeDefaults.UsesDeprecatedAllowAny(options))
            {
                LogDeprecatedAllowAny(app.Logger);
            }
        }
        else if (options.Backend == AuthBackend.OpenIddict && (string.IsNullOrEmpty(options.SigningKey) || string.IsNullOrEmpty(options.EncryptionKey)))
        {
            LogEphemeralKeys(app.Logger);
        }

        // AllowAny registers no scheme: with none added by the host either, there is nothing to authenticate, and
        // the middleware would only cost every request a scoped resolution (and without the authentication
        // services, the host does not add it on its own).
        if (app.Services.GetService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>() is { } schemes
            && schemes.GetAllSchemesAsync().GetAwaiter().GetResult().Any())
        {
            app.UseAuthentication();
        }

        app.MapGet(ProtectedResource.MetadataPath, (HttpContext http) => Results.Json(resource.MetadataOf(http))).ExcludeFromDescription();
        app.MapGet(ProtectedResource.MetadataPath + "/{**path}", (HttpContext http) => Results.Json(resource.MetadataOf(http))).ExcludeFromDescription();
        if (options.Backend == AuthBackend.OpenIddict)
        {
            app.UseRateLimiter();
            app.MapAuthorizationServer();
        }

        if (options.Backend != AuthBackend.AllowAny)
        {
            app.UseWhen(
                http => http.Request.Path.StartsWithSegments(ProtectedResource.McpPath) || http.Request.Path.StartsWithSegments("/api"),
                branch => branch.Use(RequireTokenAsync));
        }

        return app;
    }

    /// <summary>
    /// A permission configured under a name no binding answers to would silently protect nothing: the start stops
    /// and names the keys that do exist (a binding's tool, selector, prompt or resource name, else its request type's name).
    /// </summary>
    private static void RequireKnownBindings(IServiceProvider services)
    {
        var configured = services.GetRequiredService<PermissionOptions>().Bindings.Keys;
        if (configured.Count == 0)
        {
            return;
        }

        var catalog = services.GetRequiredService<McpCqrs.Mcp.Catalog.McpCatalog>();
        var known = catalog.Tools.Select(t => t.RequestType)
            .Concat(catalog.Resources.Select(r => r.RequestType))
            .Concat(catalog.Prompts.Select(p => p.RequestType))
            .Select(McpCqrs.Mcp.Behaviors.RequestBindings.NameOf)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = configured.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(PermissionOptions.SectionName, typeof(PermissionOptions), [
                $"{PermissionOptions.SectionName}:Bindings names no binding: {string.Join(", ", unknown)}. Known: {string.Join(", ", known.Order(StringComparer.Ordinal))}."]);
        }
    }

    /// <summary>
    /// Bearer tokens in the <c>Authorization</c> header only (RFC 6750 §2.1; a token in the query string is refused,
    /// not ignored), validated by the back-end's scheme; the principal becomes the request's user. A refused token's 401
    /// says what was wrong with it.
    /// </summary>
    private static async Task RequireTokenAsync(HttpContext http, RequestDelegate next)
    {
        var resource = http.RequestServices.GetRequiredService<ProtectedResource>();
        if (http.Request.Query.ContainsKey("access_token"))
        {
            await resource.WriteUnauthorizedAsync(http, Errors.InvalidRequest, "Access tokens are accepted only in the Authorization header.");
            return;
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !header.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            await resource.WriteUnauthorizedAsync(http, null, "This resource needs an OAuth access token: Authorization: Bearer <token>.");
            return;
        }

        if (header.Length <= "Bearer ".Length || string.IsNullOrWhiteSpace(header["Bearer ".Length..]))
        {
            await resource.WriteUnauthorizedAsync(http, Errors.InvalidToken, "The Authorization header carries no token.");
            return;
        }

        var result = await http.AuthenticateAsync(resource.Scheme);
        if (!result.Succeeded || result.Principal is null)
        {
            var problem = TokenRejection.ProblemOf(result);
            if (problem == TokenProblem.Expired && !TokenStatus.HasExpired(header["Bearer ".Length..].Trim()))
            {
                // OpenIddict gives a token that has expired and one whose entry is revoked or gone the same reason.
                problem = TokenProblem.Revoked;
            }

            await resource.WriteUnauthorizedAsync(http, Errors.InvalidToken, TokenRejection.Describe(problem, resource.ResourceOf(http), resource.IssuerOf(http)));
            return;
        }

        http.User = result.Principal;
        await next(http);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:AllowAnyInProduction is deprecated: rename it to Auth:AllowAnyOutsideDevelopment (it now applies in every environment other than Development).")]
    private static partial void LogDeprecatedAllowAny(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:Backend is AllowAny: every caller may call everything, without a token. Development only.")]
    private static partial void LogAllowAny(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:SigningKey or Auth:EncryptionKey is not set: keys were made for this process only, so issued tokens stop working at restart and on other instances.")]
    private static partial void LogEphemeralKeys(ILogger logger);
}
