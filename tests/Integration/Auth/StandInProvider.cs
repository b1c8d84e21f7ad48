using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpCqrs.Tests.Integration.Auth;

/// <summary>
/// An identity provider standing in for Entra ID, Keycloak or Auth0: on a loopback port of its own it serves an OpenID
/// discovery document and a JWKS under its issuer path, and signs RS256 access tokens with its own keys. It can switch
/// to a new key (the old one leaves the JWKS) and counts the JWKS fetches.
/// </summary>
internal sealed class StandInProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private RsaSecurityKey _key = NewKey();
    private int _jwksFetches;

    private readonly string _origin;

    private StandInProvider(WebApplication app, string origin, string issuer)
    {
        _app = app;
        _origin = origin;
        Issuer = issuer;
    }

    /// <summary>The issuer, as the discovery document names it (e.g. <c>http://127.0.0.1:port/realms/desk</c>): also the authority.</summary>
    public string Issuer { get; }

    /// <summary>How often the JWKS has been fetched.</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public string CurrentKeyId
    {
        get
        {
            lock (_lock)
            {
                return _key.KeyId;
            }
        }
    }

    /// <summary>Starts a provider whose issuer is its origin plus <paramref name="issuerPath"/> (e.g. <c>/tenant/v2.0</c>, <c>/realms/desk</c>, or empty).</summary>
    public static async Task<StandInProvider> StartAsync(string issuerPath = "")
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var basePath = issuerPath.TrimEnd('/');
        StandInProvider? provider = null; // set once the port is known, before any request can reach it
        app.MapGet(basePath + "/.well-known/openid-configuration", () => provider!.Discovery(basePath));
        app.MapGet(basePath + "/keys", () => provider!.Jwks());
        await app.StartAsync();
        var origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        provider = new StandInProvider(app, origin, issuerPath.Length == 0 ? origin + "/" : origin + issuerPath);
        return provider;
    }

    private IResult Discovery(string basePath) => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["jwks_uri"] = $"{_origin}{basePath}/keys",
        ["authorization_endpoint"] = $"{_origin}{basePath}/authorize",
        ["token_endpoint"] = $"{_origin}{basePath}/token",
        ["response_types_supported"] = new[] { "code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
    });

    private IResult Jwks()
    {
        Interlocked.Increment(ref _jwksFetches);
        JsonWebKey published;
        lock (_lock)
        {
            published = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
        }

        return Results.Json(new
        {
            keys = new[] { new { kty = published.Kty, use = "sig", alg = "RS256", kid = published.Kid, n = published.N, e = published.E } },
        });
    }

    /// <summary>Switches to a new signing key: the JWKS now holds only it.</summary>
    public void RotateKey()
    {
        lock (_lock)
        {
            _key = NewKey();
        }
    }

    /// <summary>
    /// A signed access token: <paramref name="type"/> is the <c>typ</c> header (null: none), <paramref name="claims"/> the
    /// payload beyond <c>iss</c> (this provider unless <paramref name="issuer"/>), <c>iat</c>, <c>nbf</c> and <c>exp</c>.
    /// <paramref name="key"/> signs instead of the current key (a foreign key: a wrong signature).
    /// </summary>
    public string Issue(string? type, IDictionary<string, object> claims, DateTime? expires = null, string? issuer = null, RsaSecurityKey? key = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        RsaSecurityKey signing;
        lock (_lock)
        {
            signing = key ?? _key;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            IssuedAt = expiry.AddMinutes(-30),
            NotBefore = expiry.AddMinutes(-30),
            Expires = expiry,
            Claims = new Dictionary<string, object>(claims),
            SigningCredentials = new SigningCredentials(signing, SecurityAlgorithms.RsaSha256),
        };
        if (type is not null)
        {
            descriptor.TokenType = type;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(descriptor);
        return type is null ? WithoutType(token) : token;
    }

    /// <summary>A key this provider never published, with <paramref name="keyId"/> as its id.</summary>
    public static RsaSecurityKey ForeignKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    private static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) };

    /// <summary>
    /// The handler always writes a <c>typ</c>; a token without one is re-signed here with the header minus <c>typ</c>
    /// (Base64url JSON in, Base64url JSON out; the signature made with the same key through IdentityModel).
    /// </summary>
    private string WithoutType(string token)
    {
        var parts = token.Split('.');
        var header = System.Text.Json.Nodes.JsonNode.Parse(Base64UrlEncoder.Decode(parts[0]))!.AsObject();
        header.Remove("typ");
        var input = Base64UrlEncoder.Encode(header.ToJsonString()) + "." + parts[1];
        RsaSecurityKey signing;
        lock (_lock)
        {
            signing = _key;
        }

        var provider = new AsymmetricSignatureProvider(signing, SecurityAlgorithms.RsaSha256, willCreateSignatures: true);
        return input + "." + Base64UrlEncoder.Encode(provider.Sign(System.Text.Encoding.ASCII.GetBytes(input)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
