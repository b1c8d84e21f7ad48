using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.External;
using McpCqrs.Mcp.Tasks;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Mcp.Context.InputRequest;

namespace McpCqrs.Tests.Integration.Conformance;

// The fixtures of the tasks extension's conformance scenarios: ordinary commands through the mediator, some of
// them marked to run as tasks.

public sealed record Greet(string Name) : ICommand<ToolContent>;

public sealed record SlowCompute(int Seconds, string? Label = null) : ICommand<ToolContent>;

public sealed record FailingJob : ICommand<ToolContent>;

public sealed record ProtocolErrorJob : ICommand<ToolContent>;

public sealed record ConfirmDelete(string Filename) : ICommand<ToolContent>;

public sealed record MultiInput : ICommand<ToolContent>;

public sealed record TestToolWithTask : ICommand<ToolContent>;

public static class TaskFixtures
{
    public static IServiceCollection AddTaskFixtures(this IServiceCollection services)
    {
        services.AddScoped<TaskFixtureHandlers>();
        services.AddFixtureHandler<TaskFixtureHandlers, Greet>();
        services.AddFixtureHandler<TaskFixtureHandlers, SlowCompute>();
        services.AddFixtureHandler<TaskFixtureHandlers, FailingJob>();
        services.AddFixtureHandler<TaskFixtureHandlers, ProtocolErrorJob>();
        services.AddFixtureHandler<TaskFixtureHandlers, ConfirmDelete>();
        services.AddFixtureHandler<TaskFixtureHandlers, MultiInput>();
        services.AddFixtureHandler<TaskFixtureHandlers, TestToolWithTask>();
        services.AddScoped<McpTaskAdmission<TestToolWithTask>, AskNameBeforeTask>();
        services.AddSingleton<FluentValidation.IValidator<SlowCompute>, SlowComputeValidator>();

        // Open to every caller, as the conformance suite runs without credentials.
        static Func<ToolRegistration, ToolRegistration> Describe(string text, TaskSupport task = TaskSupport.Forbidden) => r => r with { Description = text, Task = task, Public = true };
        return services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<Greet, ToolContent>("greet", Describe("Greets someone at once."))
            .AddExternalTool<SlowCompute, ToolContent>("slow_compute", Describe("Works for the given number of seconds.", TaskSupport.Optional))
            .AddExternalTool<FailingJob, ToolContent>("failing_job", Describe("Runs only as a task and ends with a tool error.", TaskSupport.Required))
            .AddExternalTool<ProtocolErrorJob, ToolContent>("protocol_error_job", Describe("Runs as a task and fails with a protocol error.", TaskSupport.Required))
            .AddExternalTool<ConfirmDelete, ToolContent>("confirm_delete", Describe("Asks for a confirmation before it deletes a file.", TaskSupport.Optional))
            .AddExternalTool<MultiInput, ToolContent>("multi_input", Describe("Asks two questions at once.", TaskSupport.Optional))
            .AddExternalTool<TestToolWithTask, ToolContent>("test_tool_with_task", Describe("Asks for a name, then runs as a task that greets it.", TaskSupport.Required)));
    }

    internal static InputRequest Elicit(string message, string schema) => InputRequest.Elicit(JsonSerializer.Deserialize<ElicitRequestParams>(
        $$"""{"mode":"form","message":{{JsonSerializer.Serialize(message)}},"requestedSchema":{{schema}}}""", McpJsonUtilities.DefaultOptions)!);

    internal static readonly InputRequest AskName = Elicit("What is your name?", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""");
}

/// <summary>A task's arguments are validated when the task is created.</summary>
internal sealed class SlowComputeValidator : FluentValidation.AbstractValidator<SlowCompute>
{
    public SlowComputeValidator() => FluentValidation.DefaultValidatorExtensions.InclusiveBetween(RuleFor(c => c.Seconds), 0, 600);
}

/// <summary>test_tool_with_task asks for the name in an input round of tools/call, before its task exists.</summary>
internal sealed class AskNameBeforeTask(IClientInput input) : McpTaskAdmission<TestToolWithTask>
{
    public override async ValueTask AdmitAsync(TestToolWithTask request, CancellationToken cancellationToken) =>
        await input.AskAsync(new Dictionary<string, InputRequest> { ["user_name"] = TaskFixtures.AskName }, cancellationToken: cancellationToken);
}

internal sealed class TaskFixtureHandlers(IClientInput input, IProgressReporter progress)
    : ICommandHandler<Greet, ToolContent>,
      ICommandHandler<SlowCompute, ToolContent>,
      ICommandHandler<FailingJob, ToolContent>,
      ICommandHandler<ProtocolErrorJob, ToolContent>,
      ICommandHandler<ConfirmDelete, ToolContent>,
      ICommandHandler<MultiInput, ToolContent>,
      ICommandHandler<TestToolWithTask, ToolContent>
{
    private static ToolContent Text(string text) => new([new TextContentBlock { Text = text }]);

    private static string? Field(JsonNode? answer, string name) => answer?["content"]?[name]?.ToString();

    public ValueTask<ToolContent> Handle(Greet command, CancellationToken cancellationToken) => ValueTask.FromResult(Text($"Hello, {command.Name}!"));

    /// <summary>How many slow_compute handlers started, and how many run now, by label (tests watch the worker through them).</summary>
    internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Started = new(StringComparer.Ordinal);

    internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Running = new(StringComparer.Ordinal);

    public async ValueTask<ToolContent> Handle(SlowCompute command, CancellationToken cancellationToken)
    {
        var label = command.Label ?? string.Empty;
        Started.AddOrUpdate(label, 1, (_, n) => n + 1);
        Running.AddOrUpdate(label, 1, (_, n) => n + 1);
        try
        {
            for (var second = 0; second < command.Seconds; second++)
            {
                await progress.ReportAsync(second, command.Seconds, $"Computing {command.Label}", cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            return Text($"Computed {command.Label} in {command.Seconds} s.");
        }
        finally
        {
            Running.AddOrUpdate(label, 0, (_, n) => n - 1);
        }
    }

    public async ValueTask<ToolContent> Handle(FailingJob command, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return Text("The job failed: the input was rejected.") with { IsError = true };
    }

    public async ValueTask<ToolContent> Handle(ProtocolErrorJob command, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        throw new McpProtocolException("The job hit a protocol error.", McpErrorCode.InternalError);
    }

    public async ValueTask<ToolContent> Handle(ConfirmDelete command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest> { ["confirm"] = TaskFixtures.Elicit($"Delete {command.Filename}?", """{"type":"object","properties":{"confirm":{"type":"boolean"}},"required":["confirm"]}""") },
            cancellationToken: cancellationToken);
        return Text(Field(answers["confirm"], "confirm") == "true" ? $"Deleted {command.Filename}." : $"Kept {command.Filename}.");
    }

    public async ValueTask<ToolContent> Handle(MultiInput command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest>
            {
                ["name"] = TaskFixtures.AskName,
                ["confirm"] = TaskFixtures.Elicit("Go on?", """{"type":"object","properties":{"confirm":{"type":"boolean"}},"required":["confirm"]}"""),
            },
            cancellationToken: cancellationToken);
        return Text($"Name {Field(answers["name"], "name")}, confirmed {Field(answers["confirm"], "confirm")}.");
    }

    public async ValueTask<ToolContent> Handle(TestToolWithTask command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(new Dictionary<string, InputRequest> { ["user_name"] = TaskFixtures.AskName }, cancellationToken: cancellationToken);
        return Text($"Hello, {Field(answers["user_name"], "name")}! The task ran with the name given before it started.");
    }
}
