using McpCqrs.Application;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Sessions;
using McpCqrs.Mcp.InMemory;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Customers.Queries.GetCustomer;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.GetTicket;
using McpCqrs.Infrastructure.Persistence;
using McpCqrs.Web;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Tests.Unit.Pipeline;

/// <summary>
/// The mediator exactly as the host composes it (the generated code and the behavior list of
/// <c>MediatorConfiguration</c>). These tests fail if a behavior is dropped from the list or silently skipped
/// for commands or for queries.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TestUser _user = new();
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddApplication();
        services.AddMcpCqrsMediator();
        services.AddMcpCatalog();
        services.AddRateLimitingCore(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
            limits => limits
                .AddPolicy(McpCqrs.Mcp.RateLimiting.RateLimitPolicy.FixedWindow("twice", 2, TimeSpan.FromMinutes(1)))
                .ForBinding("get_customer", "twice")
                .ForBinding("create_customer", "twice"));
        services.AddSingleton(new McpServerInfo());
        services.AddSingleton(new McpLimitsOptions());
        services.AddOptions();
        services.AddLogging();
        services.AddSingleton<ISessionStore, InMemorySessionStore>();
        services.AddSingleton<McpCqrs.Mcp.Resources.IResourceSubscriptions, InMemoryResourceSubscriptions>();
        services.AddSingleton<McpCqrs.Mcp.Context.IMcpNotifier, NoNotifier>();
        services.AddScoped<IAppDbContext>(_ => _database.NewContext());
        services.AddScoped<ICurrentUser>(_ => _user);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<TResponse> SendAsync<TResponse>(IMessage message)
    {
        await using var scope = _services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ISender>().Send((object)message);
        return (TResponse)result!;
    }

    [Fact]
    public async Task Validation_wraps_commands()
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => SendAsync<object>(new CreateTicket(0, "")));

        Assert.Equal(["customerId", "title"], error.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Validation_wraps_queries()
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => SendAsync<object>(new GetTicket(0)));

        Assert.Equal("id", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task Tracing_wraps_commands_and_queries()
    {
        using var capture = new SpanCapture();

        var customer = await SendAsync<McpCqrs.Application.Customers.CustomerDto>(new CreateCustomer("Ada", "ada@example.com"));
        await SendAsync<object>(new GetCustomer(customer.Id));

        Assert.Equal(["CreateCustomer", "GetCustomer"], capture.Spans.Select(s => s.DisplayName));
        Assert.Equal(["command", "query"], capture.Spans.Select(s => s.GetTagItem("mcpcqrs.request.kind")));
    }

    [Fact]
    public async Task Tracing_is_outside_validation_so_rejected_requests_are_traced()
    {
        using var capture = new SpanCapture();

        await Assert.ThrowsAsync<RequestValidationException>(() => SendAsync<object>(new GetCustomer(-1)));

        var span = Assert.Single(capture.Spans);
        Assert.Equal("validation_error", span.GetTagItem("error.type"));
    }

    [Fact]
    public void Every_request_has_exactly_one_handler_registered()
    {
        // The generator reports a request without a handler at build time (MSG0005, an error here); this checks
        // that the generated registrations resolve in a container that validates scopes.
        using var scope = _services.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<IMediator>());
        Assert.IsType<SqliteAppDbContext>(scope.ServiceProvider.GetRequiredService<IAppDbContext>());
    }

    [Fact]
    public async Task Rate_limits_wrap_queries_and_count_a_request_refused_by_validation_once()
    {
        await Assert.ThrowsAsync<RequestValidationException>(() => SendAsync<object>(new GetCustomer(-1)));
        await Assert.ThrowsAsync<McpCqrs.Domain.Common.EntityNotFoundException>(() => SendAsync<object>(new GetCustomer(404)));

        var refused = await Assert.ThrowsAsync<McpCqrs.Mcp.RateLimiting.RateLimitExceededException>(() => SendAsync<object>(new GetCustomer(404)));

        Assert.Equal("get_customer", refused.Binding);
        Assert.Equal("twice", refused.Policy);
        Assert.InRange(refused.RetryAfterSeconds, 1, 60);
    }

    [Fact]
    public async Task Rate_limits_wrap_commands()
    {
        await SendAsync<object>(new CreateCustomer("A", "a@example.com"));
        await SendAsync<object>(new CreateCustomer("B", "b@example.com"));

        await Assert.ThrowsAsync<McpCqrs.Mcp.RateLimiting.RateLimitExceededException>(() => SendAsync<object>(new CreateCustomer("C", "c@example.com")));
    }

    [Fact]
    public async Task Authorization_wraps_commands_and_names_the_scopes_to_ask_for()
    {
        _user = new TestUser("svc") { Scopes = new HashSet<string>(["tickets:read"]) };

        var refused = await Assert.ThrowsAsync<McpCqrs.Mcp.Security.ForbiddenAccessException>(() => SendAsync<object>(new CreateCustomer("Ada", "ada@example.com")));

        Assert.Equal("create_customer", refused.Binding);
        Assert.Equal(["customers:write"], refused.RequiredScopes);
    }

    [Fact]
    public async Task Authorization_wraps_queries()
    {
        _user = new TestUser("svc") { Scopes = new HashSet<string>(["tickets:read"]) };

        await Assert.ThrowsAsync<McpCqrs.Mcp.Security.ForbiddenAccessException>(() => SendAsync<object>(new GetCustomer(1)));
        await Assert.ThrowsAsync<McpCqrs.Domain.Common.EntityNotFoundException>(() => SendAsync<object>(new GetTicket(404)));
    }

    [Fact]
    public async Task Authorization_runs_inside_tracing_and_before_rate_limits_and_validation()
    {
        using var capture = new SpanCapture();
        _user = new TestUser("svc") { Scopes = new HashSet<string>() };

        // Invalid and refused: refused first, and no rate-limit permit is spent ("twice" allows two calls).
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<McpCqrs.Mcp.Security.ForbiddenAccessException>(() => SendAsync<object>(new GetCustomer(-1)));
        }

        Assert.Equal(3, capture.Spans.Count);
        Assert.All(capture.Spans, span => Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, span.Status));
        _user = new TestUser("svc");
        await Assert.ThrowsAsync<RequestValidationException>(() => SendAsync<object>(new GetCustomer(-1)));
    }

    private sealed class NoNotifier : McpCqrs.Mcp.Context.IMcpNotifier
    {
        public ValueTask<bool> NotifyAsync(string sessionId, ModelContextProtocol.Protocol.JsonRpcNotification notification, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public ValueTask BroadcastAsync(ModelContextProtocol.Protocol.JsonRpcNotification notification, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
