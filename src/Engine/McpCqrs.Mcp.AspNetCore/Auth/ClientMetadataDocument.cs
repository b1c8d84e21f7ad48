using System.Globalization;
using System.Text.Json;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>
/// A client described by an OAuth Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document): its
/// <c>client_id</c> is the https URL the document is served at. Only what this server uses is kept: the name, the
/// redirect URIs and the scopes. Parsing and checking are written here because OpenIddict has no support for these
/// documents.
/// </summary>
public sealed record ClientMetadataDocument(string ClientId, string? ClientName, IReadOnlyList<Uri> RedirectUris, IReadOnlyList<string>? Scopes)
{
    /// <summary>The longest client id accepted as a document URL.</summary>
    /// <summary>The longest client id URL: OpenIddict stores client ids in 100 characters.</summary>
    public const int MaxUrlLength = 100;

    /// <summary>The longest <c>client_name</c> shown; a longer one is cut.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Whether <paramref name="clientId"/> is meant as a document URL (http or https), good or not.</summary>
    public static bool IsUrl(string? clientId) =>
        clientId is not null
        && (clientId.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || clientId.StartsWith("http://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The document URL <paramref name="clientId"/> names, or why it cannot be one: https (http only on a loopback
    /// host when <paramref name="allowLoopbackHttp"/>), with a path, without fragment, user name, password or
    /// <c>.</c>/<c>..</c> segments.
    /// </summary>
    public static Uri ParseUrl(string clientId, bool allowLoopbackHttp)
    {
        if (clientId.Length > MaxUrlLength)
        {
            throw new ClientMetadataDocumentException($"cannot be used: a client_id URL may have at most {MaxUrlLength} characters.");
        }

        if (!Uri.TryCreate(clientId, UriKind.Absolute, out var url))
        {
            throw new ClientMetadataDocumentException("cannot be used: the client_id is not a valid URL.");
        }

        var loopbackHttp = url.Scheme == Uri.UriSchemeHttp && url.IsLoopback && allowLoopbackHttp;
        if (url.Scheme != Uri.UriSchemeHttps && !loopbackHttp)
        {
            throw new ClientMetadataDocumentException("cannot be used: a client_id URL must use https.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new ClientMetadataDocumentException("cannot be used: a client_id URL must not contain a user name or password.");
        }

        if (clientId.Contains('#', StringComparison.Ordinal))
        {
            throw new ClientMetadataDocumentException("cannot be used: a client_id URL must not contain a fragment.");
        }

        // Uri removes dot segments: look at the text as sent.
        var path = clientId[(clientId.IndexOf("//", StringComparison.Ordinal) + 2)..];
        path = path.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? path[slash..] : string.Empty;
        path = path.Split('?', 2)[0];
        if (path.Length <= 1)
        {
            throw new ClientMetadataDocumentException("cannot be used: a client_id URL must have a path (e.g. https://client.example/oauth/metadata.json).");
        }

        // A backslash or an escaped dot is read as a separator or a dot by some parsers: refused with the dot segments.
        if (path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or ".."))
        {
            throw new ClientMetadataDocumentException("cannot be used: a client_id URL must not contain . or .. path segments.");
        }

        return url;
    }

    /// <summary>
    /// The document in <paramref name="body"/>, served at <paramref name="clientId"/>, or why it is not acceptable:
    /// a JSON object whose <c>client_id</c> is exactly the URL, with <c>redirect_uris</c> (https, loopback http or a
    /// private-use scheme, no fragment), a public client (<c>token_endpoint_auth_method</c> absent or <c>none</c>; no
    /// <c>client_secret</c>), using the authorization code flow. Scopes this server does not support are dropped.
    /// </summary>
    public static ClientMetadataDocument Parse(string clientId, ReadOnlySpan<byte> body, IReadOnlyCollection<string> supportedScopes)
    {
        JsonElement root;
        try
        {
            using var json = JsonDocument.Parse(body.ToArray());
            root = json.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ClientMetadataDocumentException($"is not valid JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ClientMetadataDocumentException("is not a JSON object.");
        }

        var documentId = Text(root, "client_id");
        if (documentId is null)
        {
            throw new ClientMetadataDocumentException("has no client_id: it must contain \"client_id\" equal to its own URL.");
        }

        if (!string.Equals(documentId, clientId, StringComparison.Ordinal))
        {
            throw new ClientMetadataDocumentException($"names the client_id '{documentId}': it must be exactly the URL it is served at.");
        }

        if (root.TryGetProperty("client_secret", out _) || root.TryGetProperty("client_secret_expires_at", out _))
        {
            throw new ClientMetadataDocumentException("contains a client_secret: a metadata document is public, so it cannot carry a shared secret.");
        }

        var method = Text(root, "token_endpoint_auth_method") ?? ClientAuthenticationMethods.None;
        if (method == ClientAuthenticationMethods.PrivateKeyJwt)
        {
            throw new ClientMetadataDocumentException("asks for token_endpoint_auth_method private_key_jwt, which this server does not support for metadata documents: use none (a public client with PKCE).");
        }

        if (method != ClientAuthenticationMethods.None)
        {
            throw new ClientMetadataDocumentException($"asks for token_endpoint_auth_method '{method}': a metadata document client cannot hold a shared secret; use none (a public client with PKCE).");
        }

        if (root.TryGetProperty("grant_types", out var grants)
            && (grants.ValueKind != JsonValueKind.Array || !grants.EnumerateArray().Any(g => g.ValueKind == JsonValueKind.String && g.GetString() == GrantTypes.AuthorizationCode)))
        {
            throw new ClientMetadataDocumentException("has grant_types without authorization_code: this server offers such clients only the authorization code flow (with refresh tokens).");
        }

        if (root.TryGetProperty("response_types", out var responses)
            && (responses.ValueKind != JsonValueKind.Array || !responses.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.String && r.GetString() == ResponseTypes.Code)))
        {
            throw new ClientMetadataDocumentException("has response_types without code: this server offers such clients only the authorization code flow.");
        }

        if (!root.TryGetProperty("redirect_uris", out var uris) || uris.ValueKind != JsonValueKind.Array || uris.GetArrayLength() == 0)
        {
            throw new ClientMetadataDocumentException("has no redirect_uris: it must list at least one redirect URI.");
        }

        var redirects = new List<Uri>();
        foreach (var uri in uris.EnumerateArray())
        {
            if (uri.ValueKind != JsonValueKind.String || !Uri.TryCreate(uri.GetString(), UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0
                || !ClientRegistration.AcceptableRedirect(parsed))
            {
                throw new ClientMetadataDocumentException($"lists the redirect URI {uri}, which is not acceptable: use https, http on a loopback address, or a private-use scheme, without a fragment.");
            }

            redirects.Add(parsed);
        }

        IReadOnlyList<string>? scopes = null;
        if (Text(root, "scope") is { } scope)
        {
            scopes = [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(supportedScopes.Contains).Distinct(StringComparer.Ordinal)];
        }

        return new ClientMetadataDocument(clientId, Name(Text(root, "client_name")), redirects, scopes);
    }

    /// <summary>
    /// How the sign-in page names the host that vouches for the client: the client id's host in ASCII (punycode, so
    /// look-alike letters show), with its port unless the scheme's default.
    /// </summary>
    public static string HostOf(Uri clientId) => clientId.IsDefaultPort ? clientId.IdnHost : $"{clientId.IdnHost}:{clientId.Port}";

    private static string? Name(string? name)
    {
        if (name is null)
        {
            return null;
        }

        // Control and format characters (bidi overrides, zero-width joiners) could make one name pass for another.
        var printable = new string([.. name.Where(c => char.GetUnicodeCategory(c) is not (UnicodeCategory.Control or UnicodeCategory.Format))]).Trim();
        if (printable.Length == 0)
        {
            return null;
        }

        return printable.Length <= MaxNameLength ? printable : printable[..MaxNameLength] + "…";
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
