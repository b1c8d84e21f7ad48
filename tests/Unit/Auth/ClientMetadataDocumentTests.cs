using System.Net;
using System.Net.Http.Headers;
using System.Text;
using McpCqrs.Mcp.AspNetCore.Auth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace McpCqrs.Tests.Unit.Auth;

/// <summary>Which addresses a metadata document may be fetched from, which URLs and documents are accepted, how long one is kept.</summary>
public sealed class ClientMetadataDocumentTests
{
    private const string Url = "https://client.example/oauth/metadata.json";
    private static readonly string[] Supported = ["tickets:read", "tickets:write", "openid", "offline_access"];

    [Theory]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.0.0.8", "IETF protocol")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved or broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("::10.0.0.1", "IPv4-compatible")]
    [InlineData("::ffff:10.0.0.1", "IPv4-mapped address of a private address")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped address of a loopback address")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped address of a link-local address")]
    [InlineData("::ffff:100.64.1.1", "IPv4-mapped address of a shared (carrier-grade NAT)")]
    [InlineData("64:ff9b::a00:1", "NAT64 address of a private address")]
    [InlineData("64:ff9b::7f00:1", "NAT64 address of a loopback address")]
    [InlineData("64:ff9b:1::1", "local-use NAT64")]
    [InlineData("100::1", "discard")]
    [InlineData("2001::1", "Teredo")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("2002:c0a8:0101::1", "6to4 address of a private address")]
    [InlineData("2002:7f00:0001::1", "6to4 address of a loopback address")]
    [InlineData("3fff::1", "documentation")]
    [InlineData("5f00::1", "segment-routing")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456:789a::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("ff05::1:3", "multicast")]
    [InlineData("4000::1", "outside global unicast")]
    [InlineData("::2", "IPv4-compatible")]
    public void A_non_public_address_is_refused_with_its_range(string address, string reason)
    {
        var refusal = PublicAddresses.Refusal(IPAddress.Parse(address));
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")] // just below 100.64.0.0/10
    [InlineData("100.128.0.0")] // just above it
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.169.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8
    [InlineData("2002:0808:0808::1")] // 6to4 of 8.8.8.8
    public void A_public_address_is_accepted(string address) =>
        Assert.Null(PublicAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_accepted_only_when_allowed(string address)
    {
        Assert.NotNull(PublicAddresses.Refusal(IPAddress.Parse(address)));
        Assert.Null(PublicAddresses.Refusal(IPAddress.Parse(address), allowLoopback: true));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:192.168.0.1")]
    public void Allowing_loopback_allows_nothing_else(string address) =>
        Assert.NotNull(PublicAddresses.Refusal(IPAddress.Parse(address), allowLoopback: true));

    [Theory]
    [InlineData("https://client.example/oauth/metadata.json")]
    [InlineData("https://client.example:8443/m")]
    [InlineData("https://client.example/m?version=2")]
    public void A_client_id_url_with_https_and_a_path_is_accepted(string url) =>
        Assert.Equal(url, ClientMetadataDocument.ParseUrl(url, allowLoopbackHttp: false).OriginalString);

    [Theory]
    [InlineData("http://client.example/metadata.json", "must use https")]
    [InlineData("http://127.0.0.1:5000/metadata.json", "must use https")]
    [InlineData("https://client.example", "must have a path")]
    [InlineData("https://client.example/", "must have a path")]
    [InlineData("https://client.example/?q=1", "must have a path")]
    [InlineData("https://client.example/a#frag", "fragment")]
    [InlineData("https://user:pass@client.example/metadata.json", "user name or password")]
    [InlineData("https://client.example/a/../metadata.json", ". or ..")]
    [InlineData("https://client.example/./metadata.json", ". or ..")]
    [InlineData("https://client.example/a/%2e%2e/metadata.json", ". or ..")]
    [InlineData("https://client.example/a/.%2e/metadata.json", ". or ..")]
    [InlineData("https://client.example/a/%2E/metadata.json", ". or ..")]
    [InlineData(@"https://client.example/a\..\b/metadata.json", ". or ..")]
    [InlineData("https://client.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json", "at most 100 characters")]
    [InlineData("https://", "not a valid URL")]
    public void A_client_id_url_breaking_the_rules_is_refused(string url, string reason)
    {
        var refused = Assert.Throws<ClientMetadataDocumentException>(() => ClientMetadataDocument.ParseUrl(url, allowLoopbackHttp: false));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_http_is_accepted_only_when_allowed()
    {
        Assert.Equal("http://127.0.0.1:5000/metadata.json", ClientMetadataDocument.ParseUrl("http://127.0.0.1:5000/metadata.json", allowLoopbackHttp: true).OriginalString);
        Assert.Throws<ClientMetadataDocumentException>(() => ClientMetadataDocument.ParseUrl("http://client.example/metadata.json", allowLoopbackHttp: true));
    }

    [Fact]
    public void A_client_id_url_too_long_is_refused() =>
        Assert.Throws<ClientMetadataDocumentException>(() => ClientMetadataDocument.ParseUrl("https://client.example/" + new string('a', 2100), allowLoopbackHttp: false));

    [Fact]
    public void A_valid_document_gives_its_name_redirect_uris_and_supported_scopes()
    {
        var document = Parse($$"""
            {"client_id":"{{Url}}","client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback","http://127.0.0.1:33418/callback"],
             "grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"none",
             "scope":"tickets:read unknown:scope openid","client_uri":"https://claude.ai"}
            """);
        Assert.Equal("Claude", document.ClientName);
        Assert.Equal(["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1:33418/callback"], document.RedirectUris.Select(u => u.OriginalString));
        Assert.Equal(["tickets:read", "openid"], document.Scopes);
    }

    [Fact]
    public void A_minimal_document_is_a_public_client_with_every_supported_scope()
    {
        var document = Parse($$"""{"client_id":"{{Url}}","redirect_uris":["https://client.example/callback"]}""");
        Assert.Null(document.ClientName);
        Assert.Null(document.Scopes);

        var descriptor = ClientMetadataDocuments.Describe(document, "hash", Supported);
        Assert.Equal(ClientTypes.Public, descriptor.ClientType);
        Assert.Null(descriptor.ClientSecret);
        Assert.Equal("client.example", descriptor.DisplayName);
        Assert.Contains(Requirements.Features.ProofKeyForCodeExchange, descriptor.Requirements);
        Assert.Contains(Permissions.GrantTypes.AuthorizationCode, descriptor.Permissions);
        Assert.Contains(Permissions.GrantTypes.RefreshToken, descriptor.Permissions);
        Assert.DoesNotContain(Permissions.GrantTypes.ClientCredentials, descriptor.Permissions);
        Assert.DoesNotContain(Permissions.Endpoints.Introspection, descriptor.Permissions);
        Assert.Equal(Supported.Select(s => Permissions.Prefixes.Scope + s).Order(), descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal)).Order());
        Assert.True(descriptor.Properties.ContainsKey(ClientMetadataDocuments.DocumentProperty));
    }

    [Fact]
    public void A_document_client_gets_only_the_supported_scopes_it_names()
    {
        var descriptor = ClientMetadataDocuments.Describe(Parse($$"""{"client_id":"{{Url}}","redirect_uris":["https://client.example/cb"],"scope":"tickets:read admin"}"""), "hash", Supported);
        Assert.Equal([Permissions.Prefixes.Scope + "tickets:read"], descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("""{"client_id":"https://client.example/oauth/other.json","redirect_uris":["https://client.example/cb"]}""", "must be exactly the URL")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json/","redirect_uris":["https://client.example/cb"]}""", "must be exactly the URL")]
    [InlineData("""{"client_id":"HTTPS://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"]}""", "must be exactly the URL")]
    [InlineData("""{"redirect_uris":["https://client.example/cb"]}""", "has no client_id")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json"}""", "has no redirect_uris")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":[]}""", "has no redirect_uris")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":"https://client.example/cb"}""", "has no redirect_uris")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["http://client.example/cb"]}""", "not acceptable")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["javascript:alert(1)"]}""", "not acceptable")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb#x"]}""", "not acceptable")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["/cb"]}""", "not acceptable")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "private_key_jwt, which this server does not support")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}""", "cannot hold a shared secret")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"client_secret_post"}""", "cannot hold a shared secret")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"client_secret":"s3cret"}""", "contains a client_secret")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"client_secret_expires_at":0}""", "contains a client_secret")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"grant_types":["client_credentials"]}""", "grant_types without authorization_code")]
    [InlineData("""{"client_id":"https://client.example/oauth/metadata.json","redirect_uris":["https://client.example/cb"],"response_types":["token"]}""", "response_types without code")]
    [InlineData("""["https://client.example/oauth/metadata.json"]""", "not a JSON object")]
    [InlineData("""{"client_id":""", "not valid JSON")]
    public void A_document_breaking_the_rules_is_refused_with_the_reason(string json, string reason)
    {
        var refused = Assert.Throws<ClientMetadataDocumentException>(() => Parse(json));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_name_loses_control_and_direction_characters_and_is_cut_when_long()
    {
        Assert.Equal("Claude", Parse($$"""{"client_id":"{{Url}}","redirect_uris":["https://c.example/cb"],"client_name":"\u202eClau\u200bde\n"}""").ClientName);
        Assert.Equal(ClientMetadataDocument.MaxNameLength + 1, Parse($$"""{"client_id":"{{Url}}","redirect_uris":["https://c.example/cb"],"client_name":"{{new string('x', 300)}}"}""").ClientName!.Length);
        Assert.Null(Parse($$"""{"client_id":"{{Url}}","redirect_uris":["https://c.example/cb"],"client_name":"\u200b "}""").ClientName);
    }

    [Theory]
    [InlineData("https://claude.ai/oauth/metadata.json", "claude.ai")]
    [InlineData("https://client.example:8443/m", "client.example:8443")]
    [InlineData("https://аpple.com/m", "xn--pple-43d.com")] // a Cyrillic "а": the page shows the punycode
    public void The_sign_in_page_names_the_host_in_ascii_with_a_non_default_port(string url, string host) =>
        Assert.Equal(host, ClientMetadataDocument.HostOf(new Uri(url)));

    private static readonly TimeSpan Min = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Max = TimeSpan.FromHours(24);
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("max-age=3600", null, 3600)]
    [InlineData("public, max-age=600", null, 600)]
    [InlineData("max-age=3600", 600, 3000)] // Age is subtracted
    [InlineData("max-age=5", null, 60)] // raised to the minimum
    [InlineData("max-age=0", null, 60)]
    [InlineData("max-age=31536000", null, 86400)] // capped at the maximum
    [InlineData("no-store", null, 60)]
    [InlineData("no-cache", null, 60)]
    [InlineData("no-store, max-age=3600", null, 60)]
    [InlineData(null, null, 60)] // nothing said: the minimum
    public void The_cache_lifetime_follows_cache_control_within_bounds(string? cacheControl, int? age, int seconds)
    {
        var header = cacheControl is null ? null : CacheControlHeaderValue.Parse(cacheControl);
        Assert.Equal(TimeSpan.FromSeconds(seconds), ClientMetadataDocumentFetcher.CacheLifetime(header, age is null ? null : TimeSpan.FromSeconds(age.Value), null, Now, Min, Max));
    }

    [Fact]
    public void Without_max_age_expires_counts_from_the_responses_date()
    {
        Assert.Equal(TimeSpan.FromHours(2), ClientMetadataDocumentFetcher.CacheLifetime(null, null, Now.AddHours(2), Now, Min, Max));
        Assert.Equal(Min, ClientMetadataDocumentFetcher.CacheLifetime(null, null, Now.AddHours(-1), Now, Min, Max));
        Assert.Equal(TimeSpan.FromMinutes(10), ClientMetadataDocumentFetcher.CacheLifetime(CacheControlHeaderValue.Parse("max-age=600"), null, Now.AddHours(5), Now, Min, Max));
    }

    [Fact]
    public void The_options_refuse_a_maximum_below_the_minimum_and_a_silly_timeout()
    {
        var options = new ClientMetadataDocumentOptions { MinCacheLifetime = TimeSpan.FromHours(2), MaxCacheLifetime = TimeSpan.FromHours(1), Timeout = TimeSpan.FromMinutes(5) };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.Contains(errors, e => e!.Contains("Auth:ClientMetadataDocuments:MaxCacheLifetime", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("Auth:ClientMetadataDocuments:Timeout", StringComparison.Ordinal));
    }

    private static ClientMetadataDocument Parse(string json) => ClientMetadataDocument.Parse(Url, Encoding.UTF8.GetBytes(json), Supported);
}
