using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Redis;
using StackExchange.Redis;

namespace McpCqrs.Tests.Integration.RateLimiting;

/// <summary>
/// The Redis-backed limits against a real Redis (<c>MCPCQRS_TEST_REDIS</c>). Each test has its own key prefix;
/// each "instance" is its own service provider with its own connection, as two hosts would have.
/// </summary>
public sealed class RedisRateLimitTests : IAsyncLifetime
{
    private readonly string _prefix = RedisTestServer.UniquePrefix();
    private readonly List<ServiceProvider> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (Environment.GetEnvironmentVariable(RedisTestServer.EnvironmentVariable) is { Length: > 0 })
        {
            await RedisTestServer.DeleteKeysAsync(_prefix);
        }
    }

    private static void Limits(RateLimitingOptions options) => options
        .AddPolicy(RateLimitPolicy.FixedWindow("fixed", 3, TimeSpan.FromMinutes(1)))
        .AddPolicy(RateLimitPolicy.SlidingWindow("sliding", 3, TimeSpan.FromMinutes(1), 6))
        .AddPolicy(RateLimitPolicy.TokenBucket("bucket", 3, 1, TimeSpan.FromMinutes(1)))
        .AddPolicy(RateLimitPolicy.FixedWindow("loose", 100, TimeSpan.FromMinutes(1)))
        .ForBinding("fixed_tool", "fixed")
        .ForBinding("sliding_tool", "sliding")
        .ForBinding("bucket_tool", "bucket")
        .ForBinding("chained_tool", "loose", "bucket");

    /// <summary>A new instance: its own service provider, its own Redis connection.</summary>
    private ServiceProvider Instance(string? connectionString = null)
    {
        var provider = new ServiceCollection()
            .AddRedisRateLimits(connectionString ?? RedisTestServer.ConnectionString)
            .AddRateLimitingCore(
                new ConfigurationBuilder().Build(),
                options =>
                {
                    options.RedisKeyPrefix = _prefix;
                    Limits(options);
                })
            .BuildServiceProvider();
        _instances.Add(provider);
        return provider;
    }

    private static IRateLimitService Service(ServiceProvider instance) => instance.GetRequiredService<IRateLimitService>();

    private static async Task<int> Allowed(IRateLimitService service, string binding, int times, string partition = "user:alice")
    {
        var allowed = 0;
        for (var i = 0; i < times; i++)
        {
            allowed += (await service.TryAcquireAsync(binding, partition, CancellationToken.None)).Allowed ? 1 : 0;
        }

        return allowed;
    }

    [Theory]
    [InlineData("fixed_tool", "fixed")]
    [InlineData("sliding_tool", "sliding")]
    [InlineData("bucket_tool", "bucket")]
    public async Task Each_algorithm_refuses_past_its_limit_with_a_retry_after(string binding, string policy)
    {
        var service = Service(Instance());
        Assert.IsType<RedisRateLimitService>(service);

        Assert.Equal(3, await Allowed(service, binding, 3));
        var refused = await service.TryAcquireAsync(binding, "user:alice", CancellationToken.None);

        Assert.False(refused.Allowed);
        Assert.Equal(policy, refused.Policy);
        Assert.InRange(refused.RetryAfterSeconds!.Value, 1, 60);
    }

    [Fact]
    public async Task The_sliding_window_retry_after_is_one_segment_when_Redis_reports_none()
    {
        var service = Service(Instance());
        await Allowed(service, "sliding_tool", 3);

        var refused = await service.TryAcquireAsync("sliding_tool", "user:alice", CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
    }

    [Theory]
    [InlineData("fixed_tool")]
    [InlineData("sliding_tool")]
    [InlineData("bucket_tool")]
    public async Task Two_instances_with_their_own_connections_share_one_limit(string binding)
    {
        var a = Instance();
        var b = Instance();
        Assert.NotSame(a.GetRequiredService<RedisRateLimitConnection>().Multiplexer, b.GetRequiredService<RedisRateLimitConnection>().Multiplexer);

        Assert.Equal(2, await Allowed(Service(a), binding, 2));
        Assert.Equal(1, await Allowed(Service(b), binding, 2));
        Assert.Equal(0, await Allowed(Service(a), binding, 1));
    }

    [Fact]
    public async Task Concurrent_calls_on_two_instances_never_get_more_than_the_limit()
    {
        var a = Service(Instance());
        var b = Service(Instance());
        var allowed = 0;

        await Parallel.ForAsync(0, 60, async (i, ct) =>
        {
            var service = i % 2 == 0 ? a : b;
            if ((await service.TryAcquireAsync("fixed_tool", "user:alice", ct)).Allowed)
            {
                Interlocked.Increment(ref allowed);
            }
        });

        Assert.Equal(3, allowed);
    }

    [Fact]
    public async Task Each_partition_has_its_own_limit()
    {
        var service = Service(Instance());

        Assert.Equal(3, await Allowed(service, "fixed_tool", 5, "user:alice"));

        Assert.Equal(3, await Allowed(service, "fixed_tool", 5, "user:bob"));
        Assert.Equal(3, await Allowed(service, "fixed_tool", 5, "ip:203.0.113.7"));
    }

    [Fact]
    public async Task Another_key_prefix_is_another_limit()
    {
        var service = Service(Instance());
        Assert.Equal(3, await Allowed(service, "fixed_tool", 5));

        using var other = new RedisRateLimitConnection(RedisTestServer.ConnectionString);
        var options = new RateLimitingOptions { RedisKeyPrefix = _prefix + ":other" };
        Limits(options);
        using var otherService = new RedisRateLimitService(Microsoft.Extensions.Options.Options.Create(options), other.Multiplexer);

        Assert.Equal(3, await Allowed(otherService, "fixed_tool", 5));
    }

    [Fact]
    public async Task The_first_refusing_policy_in_order_decides()
    {
        var service = Service(Instance());

        Assert.Equal(3, await Allowed(service, "chained_tool", 5));
        var refused = await service.TryAcquireAsync("chained_tool", "user:alice", CancellationToken.None);

        Assert.Equal("bucket", refused.Policy);
        Assert.InRange(refused.RetryAfterSeconds!.Value, 1, 60);
    }

    [Fact]
    public async Task Keys_live_under_the_prefix()
    {
        var service = Service(Instance());
        await service.TryAcquireAsync("fixed_tool", "user:alice", CancellationToken.None);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.ConnectionString);
        var keys = new List<string>();
        await foreach (var key in connection.GetServer(connection.GetEndPoints()[0]).KeysAsync(pattern: $"*{_prefix}:*"))
        {
            keys.Add(key.ToString());
        }

        Assert.Contains($"rl:fw:{{{_prefix}:fixed:user:alice}}", keys);
    }

    [Fact]
    public async Task An_unreachable_Redis_is_a_typed_error_not_an_allowance()
    {
        // Nothing listens on port 1; the connection does not abort at start and fails each call at once.
        var service = Service(Instance("127.0.0.1:1,connectTimeout=200"));

        var error = await Assert.ThrowsAsync<RateLimitUnavailableException>(
            async () => await service.TryAcquireAsync("fixed_tool", "user:alice", CancellationToken.None));

        Assert.Equal(("fixed_tool", "fixed"), (error.Binding, error.Policy));
        Assert.IsAssignableFrom<RedisException>(error.InnerException);

        // A binding without policies does not need Redis.
        Assert.True((await service.TryAcquireAsync("unbound", "user:alice", CancellationToken.None)).Allowed);
    }
}
