using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.Redis;

/// <summary>
/// Two Redis connections to the Redis named by <c>MCPCQRS_TEST_REDIS</c>, standing for two host instances. Without
/// the variable every test fails, saying how to provide it. Each test (each instance of a derived class) has its
/// own key prefix; every key under it is deleted afterwards.
/// </summary>
public abstract class RedisTwoInstances : IAsyncLifetime
{
    public const string EnvironmentVariable = "MCPCQRS_TEST_REDIS";

    /// <summary>How long a test waits for a message before it fails.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private ConnectionMultiplexer? _a;
    private ConnectionMultiplexer? _b;

    /// <summary>A key prefix no other test uses.</summary>
    protected string Prefix { get; } = $"mcpcqrs-test:{Guid.NewGuid():N}";

    /// <summary>The first instance's connection.</summary>
    protected ConnectionMultiplexer A => _a ?? throw new InvalidOperationException("Not connected.");

    /// <summary>The second instance's connection.</summary>
    protected ConnectionMultiplexer B => _b ?? throw new InvalidOperationException("Not connected.");

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"No Redis for the Redis integration tests: {EnvironmentVariable} is not set. Start one " +
                "(redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no) and export " +
                $"{EnvironmentVariable}=127.0.0.1:6379 (bash .ci/run does both).");

    public async Task InitializeAsync()
    {
        var connectionString = ConnectionString;
        _a = await ConnectionMultiplexer.ConnectAsync(connectionString);
        _b = await ConnectionMultiplexer.ConnectAsync(connectionString);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            var database = _a.GetDatabase();
            foreach (var key in await KeysAsync())
            {
                await database.KeyDeleteAsync(key);
            }

            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }
    }

    /// <summary>The keys under this test's prefix (and <paramref name="pattern"/> after it).</summary>
    protected async Task<List<RedisKey>> KeysAsync(string pattern = "*")
    {
        var keys = new List<RedisKey>();
        foreach (var endpoint in A.GetEndPoints())
        {
            await foreach (var key in A.GetServer(endpoint).KeysAsync(pattern: $"{Prefix}:{pattern}"))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>A connection to a port nothing listens on: every command fails fast, as with Redis down.</summary>
    protected static async Task<ConnectionMultiplexer> UnreachableAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = ConfigurationOptions.Parse($"127.0.0.1:{port}");
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 200;
        options.SyncTimeout = 500;
        options.AsyncTimeout = 500;
        options.ConnectRetry = 0;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}

/// <summary>A clock the tests move by hand (the integration tests do not reference the fake time provider package).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>What a subscriber received, with a bounded wait for a count or a final message.</summary>
internal sealed class Received<T>
{
    private readonly List<T> _items = [];
    private readonly List<(Func<IReadOnlyList<T>, bool> Done, TaskCompletionSource Signal)> _waits = [];

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
            foreach (var wait in _waits.Where(w => w.Done(_items)).ToList())
            {
                _waits.Remove(wait);
                wait.Signal.TrySetResult();
            }
        }
    }

    /// <summary>Waits (at most <paramref name="patience"/>) until <paramref name="done"/> holds of what was received.</summary>
    public async Task<IReadOnlyList<T>> UntilAsync(Func<IReadOnlyList<T>, bool> done, TimeSpan patience)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_items)
        {
            if (done(_items))
            {
                return [.. _items];
            }

            _waits.Add((done, signal));
        }

        try
        {
            await signal.Task.WaitAsync(patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {patience} and received only: [{string.Join(", ", Items)}].");
        }

        return Items;
    }
}
