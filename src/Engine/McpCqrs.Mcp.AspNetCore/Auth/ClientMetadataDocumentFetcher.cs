using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace McpCqrs.Mcp.AspNetCore.Auth;

/// <summary>Why a client metadata document could not be used; the message completes "The client's metadata document at URL ...".</summary>
public sealed class ClientMetadataDocumentException(string message, string? detail = null) : Exception(message)
{
    /// <summary>What only the log may say (e.g. the internal address a name resolved to); null when the message says it all.</summary>
    public string? Detail { get; } = detail;
}

/// <summary>A document as fetched: its bytes, and how long it may be kept (its caching headers, bounded).</summary>
public sealed record FetchedDocument(byte[] Body, TimeSpan Lifetime);

/// <summary>
/// Fetches client metadata documents without letting a client id reach inside the network: https only (loopback
/// http in Development), every address the host resolves to must be public (<see cref="PublicAddresses"/>) and the
/// socket connects only to those addresses, which are checked again once connected (no DNS rebinding between
/// check and use); no proxy, no redirects, no cookies, no decompression; a size limit and a timeout. Written here
/// because .NET's <see cref="HttpClient"/> has no such policy of its own.
/// </summary>
public sealed class ClientMetadataDocumentFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ClientMetadataDocumentOptions _options;
    private readonly TimeProvider _time;

    public ClientMetadataDocumentFetcher(IOptions<ClientMetadataDocumentOptions> options, IHostEnvironment environment, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        AllowLoopback = environment.IsDevelopment();
        var allowLoopback = AllowLoopback;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 16, // KB
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = _options.Timeout,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback, cancellationToken),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the per-fetch timeout below covers the body too
            MaxResponseContentBufferSize = _options.MaxBytes,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("McpCqrs-ClientMetadataFetcher/1.0");
    }

    /// <summary>Whether loopback addresses and loopback http URLs are accepted (the Development environment only).</summary>
    public bool AllowLoopback { get; }

    /// <summary>Fetches <paramref name="url"/>; throws <see cref="ClientMetadataDocumentException"/> saying why not.</summary>
    public async Task<FetchedDocument> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                throw new ClientMetadataDocumentException(
                    $"answered {(int)response.StatusCode} (a redirect{(response.Headers.Location is { } to ? " to " + to : string.Empty)}): redirects are not followed, the document must be served at the client_id URL itself.");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ClientMetadataDocumentException($"answered {(int)response.StatusCode} {response.ReasonPhrase} instead of 200 with the document.");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is null || !(mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            {
                throw new ClientMetadataDocumentException($"was served as '{mediaType ?? "no content type"}': it must be application/json.");
            }

            if (response.Content.Headers.ContentLength > _options.MaxBytes)
            {
                throw new ClientMetadataDocumentException($"is {response.Content.Headers.ContentLength} bytes long: at most {_options.MaxBytes} are accepted.");
            }

            var body = await ReadAtMostAsync(response.Content, _options.MaxBytes, timeout.Token)
                ?? throw new ClientMetadataDocumentException($"is longer than {_options.MaxBytes} bytes, the most accepted.");
            var lifetime = CacheLifetime(response.Headers.CacheControl, response.Headers.Age, response.Content.Headers.Expires, response.Headers.Date ?? _time.GetUtcNow(),
                _options.MinCacheLifetime, _options.MaxCacheLifetime);
            return new FetchedDocument(body, lifetime);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClientMetadataDocumentException($"did not arrive within {_options.Timeout.TotalSeconds:0.#} seconds.");
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            throw new ClientMetadataDocumentException(refused.Message, refused.Detail);
        }
        catch (HttpRequestException ex)
        {
            throw new ClientMetadataDocumentException($"could not be fetched: {ex.Message}");
        }
        catch (IOException ex)
        {
            // The body broke off (HttpIOException) or the connection failed while it was read.
            throw new ClientMetadataDocumentException($"could not be read to its end: {ex.Message}");
        }
    }

    /// <summary>
    /// How long a response may be kept: <c>no-store</c>/<c>no-cache</c> mean as short as allowed, else <c>max-age</c>
    /// less <c>Age</c>, else <c>Expires</c> less <c>Date</c>; nothing said, the shortest; always within [min, max].
    /// </summary>
    public static TimeSpan CacheLifetime(CacheControlHeaderValue? cacheControl, TimeSpan? age, DateTimeOffset? expires, DateTimeOffset date, TimeSpan min, TimeSpan max)
    {
        TimeSpan wanted;
        if (cacheControl is { NoStore: true } or { NoCache: true })
        {
            wanted = TimeSpan.Zero;
        }
        else if (cacheControl?.MaxAge is { } maxAge)
        {
            wanted = maxAge - (age ?? TimeSpan.Zero);
        }
        else if (expires is { } until)
        {
            wanted = until - date;
        }
        else
        {
            wanted = min;
        }

        return wanted < min ? min : wanted > max ? max : wanted;
    }

    /// <summary>Connects to <paramref name="endPoint"/> only at addresses <see cref="PublicAddresses"/> accepts.</summary>
    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new RefusedAddressException($"names a host, {host}, that resolves to no address.");
        }

        // Every address must be public: a name that also resolves inside the network is refused, whichever one
        // a connection would have used.
        foreach (var address in addresses)
        {
            Refuse(host, literal is null, address, allowLoopback);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken);
            if (socket.RemoteEndPoint is not IPEndPoint connected)
            {
                throw new RefusedAddressException($"could not be fetched: the connection to {host} has no remote address.");
            }

            Refuse(host, literal is null, connected.Address, allowLoopback);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Refuse(string host, bool named, IPAddress address, bool allowLoopback)
    {
        if (PublicAddresses.Refusal(address, allowLoopback) is { } why)
        {
            // What a name resolves to inside the network is for the log only: the answer would make this server an
            // oracle for internal names.
            throw named
                ? new RefusedAddressException(
                    $"is on {host}, which does not resolve to public addresses only: documents are fetched only from public addresses.",
                    $"{host} resolves to {address}, {why}")
                : new RefusedAddressException($"is on {address}, {why}: documents are fetched only from public addresses.", null);
        }
    }

    private static RefusedAddressException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is RefusedAddressException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>The content's bytes, or null when it has more than <paramref name="max"/>.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[max + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > max ? null : buffer[..length];
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Thrown inside the connection callback; surfaces wrapped in an <see cref="HttpRequestException"/>.</summary>
    private sealed class RefusedAddressException(string message, string? detail = null) : IOException(message)
    {
        public string? Detail { get; } = detail;
    }
}

/// <summary>
/// Which addresses a server-side fetch may connect to: public unicast only. Refused: IPv4 "this network", private
/// (RFC 1918), shared/CGNAT (RFC 6598), loopback, link-local, IETF protocol assignments, documentation, benchmarking,
/// 6to4 relay, multicast and reserved/broadcast; IPv6 unspecified, loopback, IPv4-compatible, discard, IETF protocol
/// assignments (Teredo included), documentation, SRv6, unique-local, link-local, site-local, multicast and anything
/// outside global unicast (2000::/3). IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 addresses are judged by the IPv4
/// address inside. Written here because .NET has no "is this address public" check (it has the
/// <see cref="IPNetwork"/> arithmetic this uses).
/// </summary>
public static class PublicAddresses
{
    private static readonly (IPNetwork Network, string Reason)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address (10.0.0.0/8)"),
        (IPNetwork.Parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address (127.0.0.0/8)"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (169.254.0.0/16)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address (172.16.0.0/12)"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol assignment (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address (192.0.2.0/24)"),
        (IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay address (192.88.99.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address (192.168.0.0/16)"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address (198.51.100.0/24)"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address (203.0.113.0/24)"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address (224.0.0.0/4)"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] V6 =
    [
        (IPNetwork.Parse("::/128"), "the unspecified address (::)"),
        (IPNetwork.Parse("::1/128"), "the loopback address (::1)"),
        (IPNetwork.Parse("::/96"), "an IPv4-compatible address (::/96, deprecated)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address (64:ff9b:1::/48)"),
        (IPNetwork.Parse("100::/64"), "a discard address (100::/64)"),
        (IPNetwork.Parse("2001::/23"), "an IETF protocol assignment, Teredo included (2001::/23)"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address (2001:db8::/32)"),
        (IPNetwork.Parse("3fff::/20"), "a documentation address (3fff::/20)"),
        (IPNetwork.Parse("5f00::/16"), "a segment-routing address (5f00::/16)"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local address (fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address (fec0::/10, deprecated)"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address (ff00::/8)"),
    ];

    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Null when <paramref name="address"/> may be connected to; else why not ("a private address (10.0.0.0/8)").</summary>
    public static string? Refusal(IPAddress address, bool allowLoopback = false)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Refusal(address.MapToIPv4(), allowLoopback) is { } mapped ? $"an IPv4-mapped address of {mapped}" : null;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (allowLoopback && IPAddress.IsLoopback(address))
            {
                return null;
            }

            return V4.FirstOrDefault(r => r.Network.Contains(address)).Reason;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }

        if (allowLoopback && address.Equals(IPAddress.IPv6Loopback))
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return Refusal(new IPAddress(bytes.AsSpan(12, 4)), allowLoopback: false) is { } inner ? $"a NAT64 address of {inner}" : null;
        }

        if (SixToFour.Contains(address))
        {
            return Refusal(new IPAddress(bytes.AsSpan(2, 4)), allowLoopback: false) is { } inner ? $"a 6to4 address of {inner}" : null;
        }

        // Scope ids (fe80::1%2) do not change which range an address is in.
        var unscoped = new IPAddress(bytes);
        foreach (var (network, reason) in V6)
        {
            if (network.Contains(unscoped))
            {
                return reason;
            }
        }

        return GlobalUnicast.Contains(unscoped) ? null : "outside global unicast (2000::/3)";
    }
}
