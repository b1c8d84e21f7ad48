using McpCqrs.Mcp.AspNetCore;
using McpCqrs.Mcp.Behaviors;

namespace McpCqrs.Tests.Unit.Architecture;

/// <summary>MapMcp's start check of the application's mediator: the engine's behaviors, all of them, in order.</summary>
public sealed class MediatorCheckTests
{
    private static readonly Type[] InOrder =
    [
        typeof(TracingBehavior<,>), typeof(AuthorizationBehavior<,>), typeof(RateLimitBehavior<,>),
        typeof(ValidationBehavior<,>), typeof(TaskAdmissionBehavior<,>),
    ];

    [Fact]
    public void The_behaviors_in_order_pass_with_others_of_the_application_between_them()
    {
        Assert.Null(MediatorCheck.ProblemWith([typeof(TracingBehavior<,>), typeof(string), .. InOrder[1..]]));
    }

    [Fact]
    public void A_missing_behavior_is_named()
    {
        var problem = MediatorCheck.ProblemWith([.. InOrder.Where(b => b != typeof(AuthorizationBehavior<,>))]);

        Assert.NotNull(problem);
        Assert.Contains("lacks the MCP engine's behaviors AuthorizationBehavior", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_before_authorization_is_refused_with_the_order_to_use()
    {
        var problem = MediatorCheck.ProblemWith([InOrder[0], InOrder[3], InOrder[1], InOrder[2], InOrder[4]]);

        Assert.NotNull(problem);
        Assert.Contains("TracingBehavior, ValidationBehavior, AuthorizationBehavior", problem, StringComparison.Ordinal);
        Assert.Contains("must list them as TracingBehavior, AuthorizationBehavior, RateLimitBehavior, ValidationBehavior, TaskAdmissionBehavior", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_hosts_mediator_passes()
    {
        using var app = McpCqrs.Web.McpCqrsApp.Build([], builder => builder.Configuration["Database:SqlitePath"] = Path.Combine(Path.GetTempPath(), $"check-{Guid.NewGuid():N}.db"));
        MediatorCheck.EnsureEngineRegistered(app.Services);
    }
}
