using System.Text;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpCqrs.Tests.Unit.RateLimiting;

/// <summary>The <c>RateLimiting</c> section, the code-first API, and the start-up errors.</summary>
public sealed class RateLimitingOptionsTests
{
    private const string Example = """
        {
          "RateLimiting": {
            "PartitionBy": "ClientIp",
            "TrustForwardedHeaders": true,
            "MaxPartitionsPerPolicy": 5000,
            "RedisKeyPrefix": "support-desk:rl",
            "Policies": {
              "writes": { "Algorithm": "SlidingWindow", "PermitLimit": 30, "Window": "00:01:00", "SegmentsPerWindow": 6 },
              "burst": { "Algorithm": "TokenBucket", "PermitLimit": 5, "TokensPerPeriod": 1, "ReplenishmentPeriod": "00:00:02" },
              "reads": { "Algorithm": "FixedWindow", "PermitLimit": 120, "Window": "00:01:00" }
            },
            "Bindings": {
              "create_ticket": [ "writes", "burst" ],
              "CloseTicket": "burst, writes",
              "list_tickets": [ "reads" ],
              "get_customer": [ ]
            }
          }
        }
        """;

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static RateLimitingOptions Bind(string json, Action<RateLimitingOptions>? code = null)
    {
        var services = new ServiceCollection().AddRateLimitingCore(Json(json), code);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RateLimitingOptions>>().Value;
    }

    private static async Task<OptionsValidationException> StartupFails(string json, string? redis = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (redis is not null)
        {
            builder.Services.AddRedisRateLimits(redis);
        }

        builder.Services.AddRateLimitingCore(Json(json));
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    private static string Policies(string policies, string bindings = "{}") =>
        $$"""{ "RateLimiting": { "Policies": {{policies}}, "Bindings": {{bindings}} } }""";

    [Fact]
    public void The_section_binds_policies_by_name_and_bindings_in_order()
    {
        var options = Bind(Example);

        Assert.Equal(RateLimitPartitionBy.ClientIp, options.PartitionBy);
        Assert.True(options.TrustForwardedHeaders);
        Assert.Equal(5000, options.MaxPartitionsPerPolicy);
        Assert.Equal("support-desk:rl", options.RedisKeyPrefix);

        var writes = options.Policies["WRITES"];
        Assert.Equal("writes", writes.Name);
        Assert.Equal(RateLimitAlgorithm.SlidingWindow, writes.Algorithm);
        Assert.Equal(30, writes.PermitLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), writes.Window);
        Assert.Equal(6, writes.SegmentsPerWindow);
        var burst = options.Policies["burst"];
        Assert.Equal(RateLimitAlgorithm.TokenBucket, burst.Algorithm);
        Assert.Equal((5, 1, TimeSpan.FromSeconds(2)), (burst.PermitLimit, burst.TokensPerPeriod, burst.ReplenishmentPeriod));
        Assert.Equal(0, burst.QueueLimit);

        Assert.Equal(["writes", "burst"], options.PoliciesFor("create_ticket"));
        Assert.Equal(["burst", "writes"], options.PoliciesFor("CloseTicket"));
        Assert.Equal(["reads"], options.PoliciesFor("list_tickets"));
        Assert.Empty(options.PoliciesFor("get_customer"));
        Assert.Empty(options.PoliciesFor("not_bound"));
    }

    [Fact]
    public void Defaults_partition_by_principal_else_ip_and_trust_no_forwarded_headers()
    {
        var options = Bind("{}");

        Assert.Equal(RateLimitPartitionBy.PrincipalOrClientIp, options.PartitionBy);
        Assert.False(options.TrustForwardedHeaders);
        Assert.Empty(options.Policies);
        Assert.Empty(options.Bindings);
    }

    [Fact]
    public void Configuration_overrides_code_per_policy_property_and_per_binding()
    {
        var options = Bind(
            Policies("""{ "writes": { "PermitLimit": 100 } }""", """{ "create_ticket": [ "burst" ] }"""),
            code => code
                .AddPolicy(RateLimitPolicy.FixedWindow("writes", 5, TimeSpan.FromSeconds(30)))
                .AddPolicy(RateLimitPolicy.TokenBucket("burst", 2, 1, TimeSpan.FromSeconds(1)))
                .ForBinding("create_ticket", "writes", "burst")
                .ForBinding("close_ticket", "writes"));

        Assert.Equal(100, options.Policies["writes"].PermitLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Policies["writes"].Window);
        Assert.Equal(["burst"], options.PoliciesFor("create_ticket"));
        Assert.Equal(["writes"], options.PoliciesFor("close_ticket"));
    }

    [Fact]
    public void The_registered_service_and_partitioner_follow_the_options()
    {
        var services = new ServiceCollection().AddRateLimitingCore(Json(Example));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<InMemoryRateLimitService>(provider.GetRequiredService<IRateLimitService>());
        var partitioner = provider.GetRequiredService<IRateLimitPartitioner>();
        Assert.Equal("ip:203.0.113.7", partitioner.GetPartitionKey("alice", "203.0.113.7"));
    }

    [Fact]
    public void A_custom_partitioner_registered_first_is_kept()
    {
        var services = new ServiceCollection()
            .AddSingleton<IRateLimitPartitioner, TenantPartitioner>()
            .AddRateLimitingCore(Json("{}"));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<TenantPartitioner>(provider.GetRequiredService<IRateLimitPartitioner>());
    }

    [Fact]
    public async Task An_unknown_policy_in_a_binding_stops_the_start_naming_binding_and_policy()
    {
        var error = await StartupFails(Policies(
            """{ "writes": { "Algorithm": "FixedWindow", "PermitLimit": 1, "Window": "00:00:10" } }""",
            """{ "create_ticket": [ "writes", "wrties" ] }"""));

        var message = Assert.Single(error.Failures);
        Assert.Equal(
            "RateLimiting:Bindings:create_ticket refers to policy 'wrties', which is not defined in RateLimiting:Policies (defined: writes).",
            message);
    }

    [Theory]
    [InlineData("""{ "Algorithm": "FixedWindow", "PermitLimit": 0, "Window": "00:00:10" }""", "RateLimiting:Policies:p:PermitLimit must be at least 1 (was 0).")]
    [InlineData("""{ "Algorithm": "FixedWindow", "PermitLimit": 1 }""", "RateLimiting:Policies:p:Window must be a positive time span such as \"00:01:00\" (was 00:00:00).")]
    [InlineData("""{ "Algorithm": "FixedWindow", "PermitLimit": 1, "Window": "-00:00:01" }""", "RateLimiting:Policies:p:Window must be a positive time span such as \"00:01:00\" (was -00:00:01).")]
    [InlineData("""{ "Algorithm": "SlidingWindow", "PermitLimit": 1, "Window": "00:00:10" }""", "RateLimiting:Policies:p:SegmentsPerWindow must be at least 1 for a sliding window (was 0).")]
    [InlineData("""{ "Algorithm": "SlidingWindow", "PermitLimit": 1, "Window": "00:00:00.5", "SegmentsPerWindow": 1000 }""", "RateLimiting:Policies:p:SegmentsPerWindow 1000 cuts the window of 00:00:00.5000000 into segments shorter than a millisecond: use fewer segments.")]
    [InlineData("""{ "Algorithm": "SlidingWindow", "PermitLimit": 1, "Window": "01:00:00", "SegmentsPerWindow": 3600 }""", "RateLimiting:Policies:p:SegmentsPerWindow must be at most 1000 (was 3600): every caller keeps a count per segment.")]
    [InlineData("""{ "Algorithm": "TokenBucket", "PermitLimit": 5, "ReplenishmentPeriod": "00:00:01" }""", "RateLimiting:Policies:p:TokensPerPeriod must be at least 1 for a token bucket (was 0).")]
    [InlineData("""{ "Algorithm": "TokenBucket", "PermitLimit": 5, "TokensPerPeriod": 1 }""", "RateLimiting:Policies:p:ReplenishmentPeriod must be a positive time span such as \"00:01:00\" (was 00:00:00).")]
    [InlineData("""{ "PermitLimit": 5 }""", "RateLimiting:Policies:p:Algorithm is missing: set it to FixedWindow, SlidingWindow or TokenBucket.")]
    [InlineData("""{ "Algorithm": "FixedWindow", "PermitLimit": 1, "Window": "00:00:10", "QueueLimit": 3 }""", "RateLimiting:Policies:p:QueueLimit must be 0 (was 3): calls over the limit are refused at once with a retry-after, never queued.")]
    public async Task An_invalid_policy_stops_the_start_naming_the_policy_and_the_value(string policy, string expected)
    {
        var error = await StartupFails(Policies($$"""{ "p": {{policy}} }"""));

        Assert.Equal(expected, Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var error = await StartupFails(Policies(
            """{ "a": { "Algorithm": "FixedWindow", "PermitLimit": 0, "Window": "00:00:10" }, "b": { "Algorithm": "TokenBucket", "PermitLimit": 1 } }""",
            """{ "x": [ "a", "a" ], "y": [ "c" ] }"""));

        Assert.Equal(5, error.Failures.Count());
        Assert.Contains("RateLimiting:Bindings:x lists policy 'a' twice: each call would be counted twice against it.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("RateLimiting:Bindings:y refers to policy 'c'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_that_does_not_convert_names_its_path()
    {
        var json = Policies("""{ "writes": { "Algorithm": "LeakyBucket", "PermitLimit": 1 } }""");

        var error = Assert.Throws<InvalidOperationException>(() => Bind(json));

        Assert.StartsWith("RateLimiting:Policies:writes is not a valid rate-limit policy:", error.Message, StringComparison.Ordinal);
        Assert.Contains("FixedWindow, SlidingWindow or TokenBucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_Redis_a_fixed_window_must_be_whole_seconds()
    {
        // Validation runs before anything connects: the address is never dialled.
        var error = await StartupFails(
            Policies("""{ "p": { "Algorithm": "FixedWindow", "PermitLimit": 1, "Window": "00:00:01.5" } }"""),
            redis: "127.0.0.1:1");

        Assert.Equal(
            "RateLimiting:Policies:p:Window must be a whole number of seconds with Redis, which counts fixed windows in seconds (was 00:00:01.5000000).",
            Assert.Single(error.Failures));
    }

    [Fact]
    public void A_service_built_without_the_host_validates_too()
    {
        var options = new RateLimitingOptions().ForBinding("create_ticket", "writes");

        var error = Assert.Throws<OptionsValidationException>(
            () => new InMemoryRateLimitService(Options.Create(options), TimeProvider.System));

        Assert.Contains("'writes'", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_whose_name_differs_from_its_key_is_refused()
    {
        var options = new RateLimitingOptions();
        options.Policies["writes"] = RateLimitPolicy.FixedWindow("reads", 1, TimeSpan.FromSeconds(1));

        Assert.Equal(
            "RateLimiting:Policies:writes is named 'reads': a policy's Name must be its key (or left out).",
            Assert.Single(options.Validate()));
    }

    private sealed class TenantPartitioner : IRateLimitPartitioner
    {
        public string GetPartitionKey(string? userId, string? clientIp) => "tenant:1";
    }
}
