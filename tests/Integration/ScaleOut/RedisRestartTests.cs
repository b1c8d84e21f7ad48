using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;
using McpCqrs.Tests.Integration.Mcp;
using McpCqrs.Tests.Integration.Support;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace McpCqrs.Tests.Integration.ScaleOut;

/// <summary>
/// Redis goes away under a running host and comes back: while it is gone, session requests answer 503 with a
/// clear JSON-RPC error and the rest of the host keeps serving; once it is back, the host recovers on its own
/// (new sessions, live notifications). The Redis is a private <c>redis-server</c> process on a free loopback port,
/// so killing it disturbs no other test.
/// </summary>
public sealed class RedisRestartTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>How long Redis may take to be noticed as gone, and the host to recover once it is back.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private PrivateRedis? _redis;

    public void Dispose() => _redis?.Dispose();

    [Fact]
    public async Task Session_requests_answer_503_while_redis_is_down_and_the_host_recovers_when_it_returns()
    {
        _redis = PrivateRedis.Start(PrivateRedis.FreePort());
        await using var host = await _redis.StartHostAsync();
        var client = host.Client;

        // The host connects to Redis in the background (abortConnect=false, a 1 s connect timeout that a busy machine can
        // outrun): sessions open once it has, so the test waits for that before it starts.
        var (ready, _) = await PollAsync(
            () => new RawMcp(client).PostAsync(RawMcp.Initialize("2025-11-25")),
            s => s == HttpStatusCode.OK,
            allowedMeanwhile: [HttpStatusCode.ServiceUnavailable],
            "a first initialize to succeed once the host has reached Redis");
        Assert.Equal(HttpStatusCode.OK, ready);

        var old = new RawMcp(client);
        await old.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await old.PostAsync(Ping(1))).StatusCode);

        // Redis dies.
        _redis.Stop();
        var outage = Stopwatch.StartNew();
        var (status, body) = await PollAsync(
            () => old.PostAsync(Ping(2)),
            s => s == HttpStatusCode.ServiceUnavailable,
            allowedMeanwhile: [HttpStatusCode.OK],
            "the session's ping to answer 503 after Redis was killed");
        output.WriteLine($"503 after {outage.ElapsedMilliseconds} ms: {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Contains("unavailable", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(-32603, error["code"]!.GetValue<int>());

        // Everything that needs Redis fails the same clear way; the host itself stays up.
        var stream = await old.SendAsync(old.Request(HttpMethod.Get, accept: "text/event-stream"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.StatusCode);
        var initialize = await new RawMcp(client).PostAsync(RawMcp.Initialize("2025-11-25"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, initialize.StatusCode);
        Assert.Contains("unavailable", (await RawMcp.JsonAsync(initialize))["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tickets/1")).StatusCode);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        // Redis returns, empty (no persistence): the host reconnects by itself.
        _redis.Restart();
        var recovery = Stopwatch.StartNew();
        var fresh = new RawMcp(client);
        HttpResponseMessage? initialized = null;
        (status, body) = await PollAsync(
            async () => initialized = await fresh.PostAsync(RawMcp.Initialize("2025-11-25")),
            s => s == HttpStatusCode.OK,
            allowedMeanwhile: [HttpStatusCode.ServiceUnavailable],
            "a new initialize to succeed after Redis was restarted");
        output.WriteLine($"initialize answered 200 {recovery.ElapsedMilliseconds} ms after the restart");
        Assert.Equal(HttpStatusCode.OK, status);
        fresh.SessionId = initialized!.Headers.GetValues("Mcp-Session-Id").Single();
        Assert.Equal(HttpStatusCode.Accepted, (await fresh.PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")).StatusCode);

        var ping = await fresh.PostAsync(Ping(3));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.NotNull((await RawMcp.JsonAsync(ping))["result"]);

        // The old session lived only in the Redis that died: it is gone, the ordinary way.
        Assert.Equal(HttpStatusCode.NotFound, (await old.PostAsync(Ping(4))).StatusCode);

        // Live delivery (pub/sub and the replay buffer) works again too.
        using var timeout = new CancellationTokenSource(Patience);
        using var response = await fresh.SendAsync(fresh.Request(HttpMethod.Get, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var notifier = host.Services.GetRequiredService<IMcpNotifier>();
        Assert.True(await notifier.NotifyAsync(fresh.SessionId, new JsonRpcNotification { Method = "notifications/test/back", Params = new JsonObject { ["n"] = 1 } }, timeout.Token));
        var (_, message) = await sse.NextMessageAsync(timeout.Token);
        Assert.Equal("notifications/test/back", message["method"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    private static string Ping(int id) => $$"""{"jsonrpc":"2.0","id":{{id}},"method":"ping"}""";

    /// <summary>
    /// Sends until the answer's status satisfies <paramref name="done"/> or <see cref="Patience"/> runs out; any
    /// status that is neither done nor in <paramref name="allowedMeanwhile"/> fails at once.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)> PollAsync(
        Func<Task<HttpResponseMessage>> send,
        Func<HttpStatusCode, bool> done,
        HttpStatusCode[] allowedMeanwhile,
        string what)
    {
        var deadline = Stopwatch.StartNew();
        var attempts = 0;
        while (true)
        {
            attempts++;
            var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            if (done(response.StatusCode))
            {
                output.WriteLine($"{what}: {attempts} attempt(s), {deadline.ElapsedMilliseconds} ms");
                return (response.StatusCode, body);
            }

            Assert.True(
                allowedMeanwhile.Contains(response.StatusCode),
                $"While waiting for {what}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
            Assert.True(deadline.Elapsed < Patience, $"Gave up waiting for {what} after {Patience.TotalSeconds} s ({attempts} attempts; last {(int)response.StatusCode}: {body}).");
            await Task.Delay(100);
        }
    }
}

/// <summary>A <c>redis-server</c> of our own on a loopback port, without persistence; killed on dispose.</summary>
internal sealed class PrivateRedis : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string _executable;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private PrivateRedis(string executable, int port)
    {
        _executable = executable;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts redis-server on <paramref name="port"/> and waits until it answers PING.</summary>
    public static PrivateRedis Start(int port)
    {
        var executable = FindOnPath("redis-server")
            ?? throw new Xunit.Sdk.XunitException(
                "redis-server is not on PATH. bash .ci/run installs it (Debian package redis-server); or install it yourself (apt-get install redis-server).");
        var redis = new PrivateRedis(executable, port);
        redis.Restart();
        return redis;
    }

    /// <summary>
    /// Starts a host on SQLite that keeps its shared state in this Redis, under a key prefix of its own, and gives
    /// up on a Redis call within a second (so an outage is noticed quickly); <paramref name="more"/> adds settings.
    /// </summary>
    public Task<TestHost> StartHostAsync(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(more ?? new Dictionary<string, string?>())
        {
            ["Mcp:Redis"] = $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000",
            ["Mcp:RedisKeyPrefix"] = $"mcpcqrs:test:{Guid.NewGuid():N}",
        };
        return TestHost.StartOnSqliteAsync(more: settings);
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>(Re)starts the server on the same port, empty, and waits until it answers PING.</summary>
    public void Restart()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is running already.");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var waited = Stopwatch.StartNew();
        while (!Pings())
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"redis-server on port {Port} exited with code {process.ExitCode}:\n{Output()}");
            }

            if (waited.Elapsed > StartTimeout)
            {
                throw new Xunit.Sdk.XunitException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s:\n{Output()}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the server (no shutdown, no save) and waits until it is gone.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Stop();
        _process?.Dispose();
        _process = null;
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Sends an inline PING over a fresh TCP connection; true on <c>+PONG</c>.</summary>
    private bool Pings()
    {
        try
        {
            using var tcp = new TcpClient();
            tcp.ReceiveTimeout = 1000;
            tcp.SendTimeout = 1000;
            tcp.Connect(IPAddress.Loopback, Port);
            using var stream = tcp.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[64];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
