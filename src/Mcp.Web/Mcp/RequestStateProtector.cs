using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// Protects the <c>requestState</c> of <c>input_required</c> results (2026-07-28): the handler's state travels
/// through the client, so it is sealed with HMAC-SHA256 and bound to the principal, the method, a digest of the
/// request's parameters and a short lifetime. Anything else — a flipped byte, another caller, another tool, an
/// expired state — is refused. The key comes from <c>Mcp:RequestStateKey</c> (base64, at least 32 bytes; the same
/// on every instance); without one, a random key per process is used and a warning is logged.
/// </summary>
internal sealed partial class RequestStateProtector
{
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;

    public RequestStateProtector(IOptions<McpTransportOptions> options, TimeProvider clock, ILogger<RequestStateProtector> logger)
    {
        _clock = clock;
        _lifetime = options.Value.RequestStateLifetime;
        if (options.Value.RequestStateKey is { Length: > 0 } configured)
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length < 32)
            {
                throw new OptionsValidationException("Mcp:RequestStateKey", typeof(McpTransportOptions), ["Mcp:RequestStateKey must be at least 32 bytes, base64-encoded."]);
            }
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
            ["n"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        };
        var body = Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return body + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));
    }

    /// <summary>The handler's state when the token is genuine, current and bound to this caller, method and parameters.</summary>
    public bool TryUnprotect(string token, string? principal, string method, string digest, out string? state)
    {
        state = null;
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
            if (payload["p"]?.GetValue<string>() != principal
                || payload["m"]?.GetValue<string>() != method
                || payload["d"]?.GetValue<string>() != digest
                || payload["x"]!.GetValue<long>() < _clock.GetUtcNow().ToUnixTimeSeconds())
            {
                return false;
            }

            state = payload["s"]?.GetValue<string>();
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

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryBase64Url(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mcp:RequestStateKey is not set: input_required states are sealed with a random key of this process and cannot be resumed on another instance")]
    private static partial void LogRandomKey(ILogger logger);
}
