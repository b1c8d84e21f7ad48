using FluentValidation;
using McpCqrs.Application;
using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.External;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using Microsoft.Extensions.DependencyInjection;

namespace McpCqrs.Tests.Unit.Pipeline;

/// <summary>The validators of a request carried in an <see cref="ExternalRequest"/> run in the caller's scope.</summary>
public sealed class EnvelopeValidatorTests
{
    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddApplication();
        services.AddSingleton<IValidator<Greet>, GreetValidator>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private static ExternalRequest Carry(Greet greet) => new(greet, (_, request, _) => ValueTask.FromResult<object?>(request));

    [Fact]
    public async Task The_carried_requests_failures_stop_the_envelope_with_the_carried_field_names()
    {
        using var root = Services();
        await using var scope = root.CreateAsyncScope();
        var behavior = new ValidationBehavior<ExternalRequest, object?>(scope.ServiceProvider.GetServices<IValidator<ExternalRequest>>());

        var error = await Assert.ThrowsAsync<RequestValidationException>(async () =>
            await behavior.Handle(Carry(new Greet("", 9)), (m, _) => ValueTask.FromResult<object?>(m), default));

        Assert.Equal(["name", "times"], error.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_synchronous_path_reports_the_same_failures()
    {
        using var root = Services();
        using var scope = root.CreateScope();
        var validator = Assert.Single(scope.ServiceProvider.GetServices<IValidator<ExternalRequest>>());

        Assert.Equal(2, validator.Validate(Carry(new Greet("", 9))).Errors.Count);
        Assert.True(validator.Validate(new ValidationContext<ExternalRequest>(Carry(new Greet("ada", 1)))).IsValid);
        Assert.Throws<ArgumentException>(() => validator.Validate(new ValidationContext<string>("not an envelope")));
    }

    [Fact]
    public void Validators_without_dependencies_are_shared_and_those_with_dependencies_belong_to_the_scope()
    {
        using var root = Services();
        using var first = root.CreateScope();
        using var second = root.CreateScope();

        Assert.Same(
            first.ServiceProvider.GetRequiredService<IValidator<CreateTicket>>(),
            second.ServiceProvider.GetRequiredService<IValidator<CreateTicket>>());
        Assert.NotSame(
            first.ServiceProvider.GetRequiredService<IValidator<ExternalRequest>>(),
            second.ServiceProvider.GetRequiredService<IValidator<ExternalRequest>>());
        Assert.NotSame(
            first.ServiceProvider.GetRequiredService<IValidator<ListTickets>>(),
            second.ServiceProvider.GetRequiredService<IValidator<ListTickets>>());
        Assert.Single(first.ServiceProvider.GetServices<IValidator<ExternalQuery>>());
    }
}
