using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Eras;
using McpCqrs.Mcp.Methods;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// One admitted request, as its era's policy read it off the message (and, in the stateless era, its headers): the
/// method's rule, who is calling with what, and the policy that shapes its answer. Made by
/// <see cref="SessionEraPolicy.Admit"/> or <see cref="StatelessEraPolicy.Admit"/>, run by <see cref="McpDispatcher"/>.
/// </summary>
public sealed class McpCall
{
    private JsonObject? _paramsTree;

    public required McpEraPolicy Policy { get; init; }

    public required McpMethodRule Rule { get; init; }

    public required RequestId Id { get; init; }

    /// <summary>The params as parsed; valid while the request is being served (the host owns the document).</summary>
    public JsonElement? Params { get; init; }

    public required string ProtocolVersion { get; init; }

    public Implementation? ClientInfo { get; init; }

    public ClientCapabilities? ClientCapabilities { get; init; }

    public LoggingLevel? LogLevel { get; init; }

    /// <summary>Session era: the session the request belongs to (null for <c>initialize</c>); stateless era: null.</summary>
    public string? SessionId { get; init; }

    public ProgressToken? ProgressToken { get; init; }

    public McpTaskOptIn? TaskOptIn { get; init; }

    public string Method => Rule.Name;

    public McpEra Era => Policy.Era;

    /// <summary>The params as a tree, made on first use (the digest of a <c>requestState</c>, error data).</summary>
    public JsonObject? ParamsTree => _paramsTree ??= Params is { ValueKind: JsonValueKind.Object } p ? JsonObject.Create(p) : null;

    /// <summary>Stateless era: the client's answers to the input an earlier round asked for, by key.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? InputResponses { get; init; }

    /// <summary>Stateless era: the <c>requestState</c> accepted for this request, given back if a limit refuses it before its handler runs.</summary>
    internal RequestStateCheck StateCheck { get; set; }

    /// <summary>Stateless era: what <c>requestState</c> binds this request to (method, target, arguments).</summary>
    internal string? Digest { get; set; }

    /// <summary>Fills the request's context for its handlers.</summary>
    internal void Fill(McpRequestContext context, IMcpOutbound? outbound)
    {
        context.Method = Method;
        context.RequestId = Id;
        context.ProtocolVersion = ProtocolVersion;
        context.ClientInfo = ClientInfo;
        context.ClientCapabilities = ClientCapabilities;
        context.SessionId = SessionId;
        context.LogLevel = LogLevel;
        context.ProgressToken = ProgressToken;
        context.Outbound = outbound;
        context.TaskOptIn = TaskOptIn;
        context.Era = Era;
        context.InputResponses = InputResponses;
    }

    /// <summary>The token the client asked progress to be reported under (<c>params._meta.progressToken</c>), if any.</summary>
    internal static ProgressToken? ProgressTokenOf(JsonElement? parameters)
    {
        if (parameters is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty("_meta"u8, out var meta)
            || meta.ValueKind != JsonValueKind.Object || !meta.TryGetProperty("progressToken"u8, out var token))
        {
            return null;
        }

        return token.ValueKind switch
        {
            JsonValueKind.String => new ProgressToken(token.GetString()!),
            JsonValueKind.Number when token.TryGetInt64(out var n) => new ProgressToken(n),
            _ => null,
        };
    }
}

/// <summary>
/// The engine's answer to one request: how the host carries it (<see cref="Status"/>) and the JSON-RPC message
/// (null: nothing is sent — a stateless client that left). The host writes it as JSON, or as the last event of the
/// SSE stream the request opened.
/// </summary>
public sealed record McpReply(McpStatus Status, string? Payload)
{
    private string? _payload = Payload;

    private byte[]? _utf8;

    /// <summary>The engine's own UTF-8 of the message, in an array of the shared pool (see <see cref="Utf8"/>).</summary>
    private PooledUtf8? _pooled;

    /// <summary>The JSON-RPC message as text (of a reply made from UTF-8, decoded when first read).</summary>
    public string? Payload
    {
        get => _payload ??= HasUtf8 ? System.Text.Encoding.UTF8.GetString(Utf8.Span) : null;
        init => _payload = value;
    }

    /// <summary>
    /// The JSON-RPC message as UTF-8, when the engine wrote it so (<see cref="OkUtf8"/>): the host writes these bytes
    /// as they are, with no round trip through a string. Null for a reply made from text: read <see cref="Payload"/>.
    /// </summary>
    public byte[]? Utf8Payload
    {
        get => _utf8 ??= _pooled?.ToArray();
        init => _utf8 = value;
    }

    /// <summary>A reply whose message is already UTF-8 JSON.</summary>
    public static McpReply OkUtf8(byte[] payload) => new(McpStatus.Ok, (string?)null) { Utf8Payload = payload };

    /// <summary>A reply of the engine's UTF-8 <paramref name="written"/>, copied into an array of the shared pool.</summary>
    internal static McpReply OkPooled(ReadOnlySpan<byte> written) => new(McpStatus.Ok, (string?)null) { _pooled = new PooledUtf8(written) };

    /// <summary>Whether the message is UTF-8 (<see cref="Utf8"/>), not text.</summary>
    internal bool HasUtf8 => _utf8 is not null || _pooled is not null;

    /// <summary>
    /// The message as UTF-8 with no copy of its own: the host writes it and then <see cref="Release"/>s the reply.
    /// Reading it (or <see cref="Utf8Payload"/>, <see cref="Payload"/> for the first time) after that throws.
    /// </summary>
    internal ReadOnlyMemory<byte> Utf8 => _utf8 ?? _pooled?.Memory ?? default;

    /// <summary>Gives a pooled message's array back once it is written (a copy made by <c>with</c> shares it: one of them is written).</summary>
    internal void Release() => _pooled?.Release();

    /// <summary>The message as text, for a host that sends it so (an SSE event); the pooled array is given back.</summary>
    internal string TakePayload()
    {
        var payload = Payload!;
        Release();
        return payload;
    }

    /// <summary>A permission refused the caller: the host adds its challenge (<c>WWW-Authenticate</c>, insufficient scope).</summary>
    public ForbiddenAccessException? Forbidden { get; init; }

    /// <summary>A rate refused the request: the seconds after which a retry can succeed (<c>Retry-After</c>).</summary>
    public int? RetryAfter { get; init; }

    /// <summary>A stream to hold open (<c>subscriptions/listen</c>): its messages instead of <see cref="Payload"/>; the host disposes it.</summary>
    public Listen.McpStream? Stream { get; init; }

    /// <summary>Session era, <c>initialize</c>: the session opened (<c>Mcp-Session-Id</c>).</summary>
    public string? SessionId { get; init; }

    public static McpReply Ok(string payload) => new(McpStatus.Ok, payload);

    /// <summary>Nothing to send.</summary>
    public static McpReply None { get; } = new(McpStatus.Ok, null);
}

/// <summary>
/// UTF-8 in an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, given back once
/// (<see cref="Release"/>); reading it afterwards throws rather than reading an array someone else now writes.
/// </summary>
internal sealed class PooledUtf8
{
    private byte[]? _array;
    private readonly int _length;

    public PooledUtf8(ReadOnlySpan<byte> bytes)
    {
        _array = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(_array);
        _length = bytes.Length;
    }

    public ReadOnlyMemory<byte> Memory => (_array ?? throw new InvalidOperationException("The reply was written and its message released.")).AsMemory(0, _length);

    public byte[] ToArray() => Memory.ToArray();

    public void Release()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(array);
        }
    }
}
