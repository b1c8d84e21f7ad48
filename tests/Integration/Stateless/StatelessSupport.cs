using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Tests.Integration.Conformance;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>Builds 2026-07-28 (stateless) JSON-RPC requests: every request carries its version and capabilities in <c>params._meta</c>.</summary>
internal static class StatelessWire
{
    public const string Version = "2026-07-28";
    public const string ProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
    public const string ClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
    public const string ClientInfoKey = "io.modelcontextprotocol/clientInfo";
    public const string ServerInfoKey = "io.modelcontextprotocol/serverInfo";
    public const string LogLevelKey = "io.modelcontextprotocol/logLevel";
    public const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

    /// <summary>Sampling, elicitation and roots: everything a server may ask for.</summary>
    public static JsonObject AllCapabilities() => new()
    {
        ["sampling"] = new JsonObject(),
        ["elicitation"] = new JsonObject(),
        ["roots"] = new JsonObject(),
    };

    public static JsonObject Meta(JsonObject? capabilities = null, string version = Version, bool clientInfo = true)
    {
        var meta = new JsonObject
        {
            [ProtocolVersionKey] = version,
            [ClientCapabilitiesKey] = capabilities ?? AllCapabilities(),
        };
        if (clientInfo)
        {
            meta[ClientInfoKey] = new JsonObject { ["name"] = "stateless-tests", ["version"] = "1.0.0" };
        }

        return meta;
    }

    /// <summary>A request; <paramref name="meta"/> null means the standard one (use <see cref="Bare"/> for none at all).</summary>
    public static JsonObject Request(string method, JsonObject? parameters = null, JsonNode? id = null, JsonObject? meta = null)
    {
        var p = parameters ?? new JsonObject();
        p["_meta"] = meta ?? Meta();
        return new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id ?? 1,
            ["method"] = method,
            ["params"] = p,
        };
    }

    /// <summary>A request exactly as given: no <c>_meta</c> is added.</summary>
    public static JsonObject Bare(string method, JsonObject? parameters, JsonNode? id = null)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id ?? 1, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return message;
    }

    public static JsonObject Call(string tool, JsonObject? arguments = null, JsonNode? id = null, JsonObject? meta = null) =>
        Request("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() }, id, meta);

    public static string Base64Sentinel(string value) => "=?base64?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";
}

/// <summary>What came back: the HTTP status and headers, and every JSON-RPC message (one for JSON, several for SSE).</summary>
internal sealed record Reply(HttpStatusCode Status, string? MediaType, HttpResponseHeaders Headers, IReadOnlyList<JsonObject> Messages, bool HasEventIds = false)
{
    /// <summary>The last message: the response (the notifications of an SSE answer come before it).</summary>
    public JsonObject Final => Messages.Count > 0 ? Messages[^1] : throw new InvalidOperationException("The reply carried no JSON-RPC message.");

    public override string ToString() => $"{(int)Status} {MediaType}: {string.Join(" | ", Messages.Select(m => m.ToJsonString()))}";
}

/// <summary>
/// Raw HTTP for the stateless revision. By default a request gets the headers a correct client sends
/// (<c>MCP-Protocol-Version</c> equal to the <c>_meta</c> version, <c>Mcp-Method</c>, <c>Mcp-Name</c>); a test
/// overrides one by name, or removes it with a null value.
/// </summary>
internal sealed class StatelessHttp(HttpClient client)
{
    public const string Accept = "application/json, text/event-stream";

    public HttpClient Client => client;

    public static HttpRequestMessage Build(JsonObject message, IReadOnlyDictionary<string, string?>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", Accept);

        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var method = message["method"]?.GetValue<string>();
        var parameters = message["params"] as JsonObject;
        all["MCP-Protocol-Version"] = parameters?["_meta"]?[StatelessWire.ProtocolVersionKey] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : StatelessWire.Version;
        all["Mcp-Method"] = method;
        var name = method switch
        {
            "tools/call" or "prompts/get" => parameters?["name"],
            "resources/read" => parameters?["uri"],
            "tasks/get" or "tasks/update" or "tasks/cancel" => parameters?["taskId"],
            _ => null,
        };
        if (name is JsonValue n && n.GetValueKind() == JsonValueKind.String)
        {
            all["Mcp-Name"] = n.GetValue<string>();
        }

        foreach (var (key, value) in headers ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(
        JsonObject message,
        IReadOnlyDictionary<string, string?>? headers = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        CancellationToken cancellationToken = default) =>
        client.SendAsync(Build(message, headers), completion, cancellationToken);

    public async Task<Reply> CallAsync(JsonObject message, IReadOnlyDictionary<string, string?>? headers = null)
    {
        using var response = await SendAsync(message, headers);
        return await ReadAsync(response);
    }

    public static async Task<Reply> ReadAsync(HttpResponseMessage response)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var messages = new List<JsonObject>();
        var ids = false;
        if (mediaType == "text/event-stream")
        {
            using var timeout = new CancellationTokenSource(StatelessHost.Patience);
            using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            while (await sse.NextAsync(timeout.Token) is { } sseEvent)
            {
                ids |= sseEvent.Id is not null;
                if (sseEvent.Data.Length > 0)
                {
                    messages.Add(JsonNode.Parse(sseEvent.Data)!.AsObject());
                }
            }
        }
        else
        {
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length > 0)
            {
                messages.Add(JsonNode.Parse(text)!.AsObject());
            }
        }

        return new Reply(response.StatusCode, mediaType, response.Headers, messages, ids);
    }
}

/// <summary>Assertions on JSON-RPC replies of the stateless era.</summary>
internal static class Expect
{
    /// <summary>The reply's id is the request's id, with the same JSON type (never null).</summary>
    public static void SameId(JsonNode? expected, JsonNode? actual)
    {
        Assert.NotNull(expected);
        Assert.True(actual is not null, "the response's id is null or missing");
        Assert.Equal(expected.GetValueKind(), actual.GetValueKind());
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected id {expected.ToJsonString()}, got {actual.ToJsonString()}");
    }

    /// <summary>A JSON-RPC error with this HTTP status and code that echoes the request's id; returns the error object.</summary>
    public static JsonObject Error(Reply reply, HttpStatusCode status, int code, JsonNode? id)
    {
        Assert.True(status == reply.Status, $"expected HTTP {(int)status}, got {reply}");
        var body = reply.Final;
        Assert.Equal("2.0", body["jsonrpc"]?.GetValue<string>());
        Assert.False(body.ContainsKey("result"), $"an error was expected, got {body.ToJsonString()}");
        SameId(id, body["id"]);
        var error = Assert.IsType<JsonObject>(body["error"]);
        Assert.True(code == error["code"]?.GetValue<int>(), $"expected error code {code}, got {body.ToJsonString()}");
        Assert.False(string.IsNullOrEmpty(error["message"]?.GetValue<string>()), "an error needs a message");
        return error;
    }

    /// <summary>A successful JSON-RPC response (HTTP 200) that echoes the request's id; returns its result.</summary>
    public static JsonObject Result(Reply reply, JsonNode? id)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, $"expected HTTP 200, got {reply}");
        var body = reply.Final;
        Assert.False(body.ContainsKey("error"), $"a result was expected, got {body.ToJsonString()}");
        SameId(id, body["id"]);
        return Assert.IsType<JsonObject>(body["result"]);
    }

    /// <summary>A complete result (resultType "complete").</summary>
    public static JsonObject Complete(Reply reply, JsonNode? id)
    {
        var result = Result(reply, id);
        Assert.True(result["resultType"]?.GetValue<string>() == "complete", $"resultType \"complete\" expected: {result.ToJsonString()}");
        return result;
    }

    /// <summary>An input_required result; returns it.</summary>
    public static JsonObject InputRequired(Reply reply, JsonNode? id)
    {
        var result = Result(reply, id);
        Assert.True(result["resultType"]?.GetValue<string>() == "input_required", $"resultType \"input_required\" expected: {result.ToJsonString()}");
        return result;
    }

    /// <summary>The text of a tool result's first content block.</summary>
    public static string Text(JsonObject result) =>
        result["content"]?[0]?["text"]?.GetValue<string>() ?? throw new InvalidOperationException($"no text content in {result.ToJsonString()}");
}

/// <summary>A clock that moves only when a test moves it: what the state protector sees as "now".</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// One real host for a test class: the conformance fixtures, the fixtures of this folder, the test-user scheme
/// and a manual clock.
/// </summary>
public sealed class StatelessHost : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly UserClients _clients = new();

    internal ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    internal TestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StartAsync(also: services => services.AddSingleton<TimeProvider>(Clock));

    /// <summary>
    /// A host on SQLite with the test-user scheme, the conformance fixtures and the fixtures of this folder, plus
    /// <paramref name="also"/> and the settings in <paramref name="more"/>.
    /// </summary>
    internal static Task<TestHost> StartAsync(IDictionary<string, string?>? more = null, Action<IServiceCollection>? also = null) =>
        TestHost.StartOnSqliteAsync(
            services =>
            {
                services.AddTestUserAuthentication();
                services.AddConformanceFixtures();
                services.AddStatelessTestFixtures();
                also?.Invoke(services);
            },
            more);

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>Raw HTTP as <paramref name="user"/> (or anonymous); one client per user, disposed with the host.</summary>
    internal StatelessHttp As(string? user = null) => _clients.As(Host.Address, user);
}

/// <summary>One HTTP client per test user (the test-user header set), made on first use and disposed together.</summary>
internal sealed class UserClients : IDisposable
{
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Raw HTTP to <paramref name="address"/> as <paramref name="user"/> (or anonymous).</summary>
    public StatelessHttp As(Uri address, string? user)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(user ?? string.Empty, out var client))
            {
                client = new HttpClient { BaseAddress = address };
                if (user is not null)
                {
                    client.DefaultRequestHeaders.Add(TestUserAuthentication.Header, user);
                }

                _clients[user ?? string.Empty] = client;
            }

            return new StatelessHttp(client);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
