using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Mcp.Eras;

/// <summary>
/// Protects the <c>requestState</c> of <c>input_required</c> results (2026-07-28): the handler's state travels
/// through the client, so it is sealed with HMAC-SHA256 and bound to the principal, the method, a digest of the
/// request's parameters and a short lifetime. Anything else — a flipped byte, another caller, another tool, an
/// expired state — is refused. Each state carries a random nonce and is accepted once: the nonce is marked used in
/// <see cref="IRequestStateNonces"/> (shared by every instance when Redis is configured) only after the seal and the
/// bindings hold, so a forged or misdirected state cannot use up a genuine one. The key comes from
/// <c>Mcp:RequestStateKey</c> (base64, at least 32 bytes; the same on every instance); without one, a random key per
/// process is used and a warning is logged.
/// </summary>
internal sealed partial class RequestStateProtector
{
    /// <summary>
    /// How long after its expiry a used nonce is still remembered: instances whose clocks differ by less than this
    /// cannot accept a state that another instance has already forgotten.
    /// </summary>
    public static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(1);

    private readonly byte[] _key;
    private readonly IRequestStateNonces _nonces;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;

    public RequestStateProtector(McpProtocolOptions options, IRequestStateNonces nonces, TimeProvider clock, ILogger<RequestStateProtector> logger)
    {
        _nonces = nonces;
        _clock = clock;
        _lifetime = options.RequestStateLifetime;
        if (options.RequestStateKey is { Length: > 0 } configured)
        {
            // Checked at start (McpProtocolOptions.Validate): base64, at least 32 bytes.
            _key = Convert.FromBase64String(configured);
        }
        else
        {
            _key = RandomNumberGenerator.GetBytes(32);
            LogRandomKey(logger);
        }
    }

    public string Protect(string? state, string? principal, string method, string digest)
    {
        var payload = new JsonObject
        {
            ["s"] = state,
            ["p"] = principal,
            ["m"] = method,
            ["d"] = digest,
            ["x"] = (_clock.GetUtcNow() + _lifetime).ToUnixTimeSeconds(),
            ["n"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        var body = Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return body + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));
    }

    /// <summary>
    /// Opens a state for one use: accepted (with the handler's state) when the token is genuine, current, bound to
    /// this caller, method and parameters, and not used before — and then it is used. A store that cannot answer
    /// throws <see cref="McpCqrs.Mcp.Sessions.SessionStoreUnavailableException"/> and uses nothing.
    /// </summary>
    public async ValueTask<RequestStateCheck> UseAsync(string token, string? principal, string method, string digest, CancellationToken cancellationToken)
    {
        if (!TryOpen(token, principal, method, digest, out var state, out var nonce, out var expiresAt))
        {
            return new RequestStateCheck(RequestStateVerdict.Invalid, null);
        }

        return await _nonces.TryUseAsync(nonce, expiresAt + ClockSkewMargin, cancellationToken)
            ? new RequestStateCheck(RequestStateVerdict.Accepted, state, nonce)
            : new RequestStateCheck(RequestStateVerdict.AlreadyUsed, null);
    }

    /// <summary>
    /// Gives an accepted state back, for a request refused before its handler ran (a rate limit that says "retry
    /// after"): the retry the client was told to send carries the same state and must be accepted.
    /// </summary>
    public ValueTask ReleaseAsync(RequestStateCheck check, CancellationToken cancellationToken) =>
        check is { Verdict: RequestStateVerdict.Accepted, Nonce: { } nonce } ? _nonces.ReleaseAsync(nonce, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>The seal and the bindings: true when the token is genuine, current and bound to this caller, method and parameters.</summary>
    private bool TryOpen(string token, string? principal, string method, string digest, out string? state, out string nonce, out DateTimeOffset expiresAt)
    {
        state = null;
        nonce = string.Empty;
        expiresAt = default;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !TryBase64Url(token[(dot + 1)..], out var signature) || !TryBase64Url(token[..dot], out var body))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(token[..dot]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return false;
        }

        try
        {
            var payload = JsonNode.Parse(body)!.AsObject();
            var expiry = payload["x"]!.GetValue<long>();
            if (payload["p"]?.GetValue<string>() != principal
                || payload["m"]?.GetValue<string>() != method
                || payload["d"]?.GetValue<string>() != digest
                || expiry < _clock.GetUtcNow().ToUnixTimeSeconds()
                || payload["n"]?.GetValue<string>() is not { Length: > 0 } sealedNonce)
            {
                return false;
            }

            state = payload["s"]?.GetValue<string>();
            nonce = sealedNonce;

            // The expiry is in whole seconds and the state is accepted throughout its last second.
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiry + 1);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return false;
        }
    }

    /// <summary>What the state is bound to: the method's target and arguments, without the retry's own fields.</summary>
    public static string Digest(string method, JsonObject? parameters)
    {
        var text = new StringBuilder(method).Append('\n');
        if (parameters is not null)
        {
            foreach (var name in (string[])["name", "uri", "arguments"])
            {
                text.Append(name).Append('=');
                Canonical(parameters[name], text);
                text.Append('\n');
            }
        }

        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The same arguments give the same text whatever their key order or number spelling (1, 1.0, 1e0).</summary>
    private static void Canonical(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject obj:
                text.Append('{');
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(JsonSerializer.Serialize(key)).Append(':');
                    Canonical(value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                foreach (var item in array)
                {
                    Canonical(item, text);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number
                && decimal.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number):
                text.Append(number.ToString("G29", System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(node?.ToJsonString() ?? "null");
                break;
        }
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static bool TryBase64Url(string text, out byte[] bytes)
    {
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mcp:RequestStateKey is not set: input_required states are sealed with a random key of this process and cannot be resumed on another instance")]
    private static partial void LogRandomKey(ILogger logger);
}

/// <summary>How a <c>requestState</c> was judged.</summary>
public enum RequestStateVerdict
{
    /// <summary>Genuine, current, bound to this request, and now used.</summary>
    Accepted,

    /// <summary>Altered, expired, or bound to another caller, method or parameters (nothing was used).</summary>
    Invalid,

    /// <summary>Genuine, but a retry carrying it was accepted already.</summary>
    AlreadyUsed,
}

/// <summary>The verdict on a <c>requestState</c>, the handler's state when accepted, and what to tell the client when not.</summary>
public readonly record struct RequestStateCheck(RequestStateVerdict Verdict, string? State, string? Nonce = null)
{
    /// <summary>The message of the -32602 error that refuses the state; null when it was accepted.</summary>
    public string? Refusal => Verdict switch
    {
        RequestStateVerdict.Invalid => "Invalid requestState: it was altered, has expired, or belongs to another request or caller.",
        RequestStateVerdict.AlreadyUsed => "Invalid requestState: it was already used (each state is accepted once); send the request again without it to start over.",
        _ => null,
    };
}
