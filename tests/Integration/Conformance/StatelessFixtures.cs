using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.External;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Mcp.Context.InputRequest;

namespace McpCqrs.Tests.Integration.Conformance;

// The fixtures the 2026-07-28 conformance scenarios add: input_required rounds, capabilities, logging on
// request, list changes for listen streams and a parameter header. Ordinary commands, through the mediator.

public sealed record TestMissingCapability : ICommand<ToolContent>;

public sealed record TestStreamingElicitation : ICommand<ToolContent>;

public sealed record TestLoggingTool : ICommand<ToolContent>;

public sealed record TestTriggerToolChange : ICommand<ToolContent>;

public sealed record TestTriggerPromptChange : ICommand<ToolContent>;

public sealed record TestInputElicitation : ICommand<ToolContent>;

public sealed record TestInputSampling : ICommand<ToolContent>;

public sealed record TestInputListRoots : ICommand<ToolContent>;

public sealed record TestInputRequestState : ICommand<ToolContent>;

public sealed record TestInputMultiple : ICommand<ToolContent>;

public sealed record TestInputMultiRound : ICommand<ToolContent>;

public sealed record TestInputTamperedState : ICommand<ToolContent>;

public sealed record TestInputCapabilities : ICommand<ToolContent>;

public sealed record TestCustomHeader(string? Region = null) : ICommand<ToolContent>;

public sealed record TestInputPrompt : IQuery<IReadOnlyList<PromptMessage>>;

public sealed record DynamicPrompt : IQuery<string>;

/// <summary>Fixture sets handle all their commands in one scoped class.</summary>
public static class FixtureServices
{
    /// <summary>Serves <typeparamref name="TCommand"/> with the fixture set's scoped <typeparamref name="THandlers"/>.</summary>
    public static IServiceCollection AddFixtureHandler<THandlers, TCommand>(this IServiceCollection services)
        where THandlers : class
        where TCommand : ICommand<ToolContent> =>
        services.AddScoped(sp => (ICommandHandler<TCommand, ToolContent>)(object)sp.GetRequiredService<THandlers>());
}

public static class StatelessFixtures
{
    public static IServiceCollection AddStatelessFixtures(this IServiceCollection services)
    {
        services.AddScoped<StatelessFixtureHandlers>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestMissingCapability>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestStreamingElicitation>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestLoggingTool>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestTriggerToolChange>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestTriggerPromptChange>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputElicitation>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputSampling>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputListRoots>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputRequestState>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputMultiple>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputMultiRound>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputTamperedState>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestInputCapabilities>();
        services.AddFixtureHandler<StatelessFixtureHandlers, TestCustomHeader>();
        services.AddScoped<IQueryHandler<TestInputPrompt, IReadOnlyList<PromptMessage>>>(sp => sp.GetRequiredService<StatelessFixtureHandlers>());

        // Open to every caller, as the conformance suite runs without credentials.
        static Func<ToolRegistration, ToolRegistration> Describe(string text) => r => r with { Description = text, Public = true };
        return services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<TestMissingCapability, ToolContent>("test_missing_capability", Describe("Needs the client's sampling capability."))
            .AddExternalTool<TestStreamingElicitation, ToolContent>("test_streaming_elicitation", Describe("Answers on a stream that carries notifications only."))
            .AddExternalTool<TestLoggingTool, ToolContent>("test_logging_tool", Describe("Logs while it runs, when the request asks for log messages."))
            .AddExternalTool<TestTriggerToolChange, ToolContent>("test_trigger_tool_change", Describe("Adds or removes a tool, so listeners hear of it."))
            .AddExternalTool<TestTriggerPromptChange, ToolContent>("test_trigger_prompt_change", Describe("Adds or removes a prompt, so listeners hear of it."))
            .AddExternalTool<TestInputElicitation, ToolContent>("test_input_required_result_elicitation", Describe("Asks the user for a name."))
            .AddExternalTool<TestInputSampling, ToolContent>("test_input_required_result_sampling", Describe("Asks the client's model for a completion."))
            .AddExternalTool<TestInputListRoots, ToolContent>("test_input_required_result_list_roots", Describe("Asks the client for its roots."))
            .AddExternalTool<TestInputRequestState, ToolContent>("test_input_required_result_request_state", Describe("Asks for a confirmation and keeps state across the round."))
            .AddExternalTool<TestInputMultiple, ToolContent>("test_input_required_result_multiple_inputs", Describe("Asks for three inputs at once."))
            .AddExternalTool<TestInputMultiRound, ToolContent>("test_input_required_result_multi_round", Describe("Asks in two rounds before completing."))
            .AddExternalTool<TestInputTamperedState, ToolContent>("test_input_required_result_tampered_state", Describe("Refuses a state that was altered."))
            .AddExternalTool<TestInputCapabilities, ToolContent>("test_input_required_result_capabilities", Describe("Asks only for what the client declared."))
            .AddExternalTool<TestCustomHeader, ToolContent>("test_custom_header", r => r with
            {
                Description = "Takes a region that is mirrored in the Mcp-Param-Region header.",
                Public = true,
                InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}},"additionalProperties":false}""").RootElement.Clone(),
            })
            .AddExternalPrompt<TestInputPrompt, IReadOnlyList<PromptMessage>>("test_input_required_result_prompt", p => p with { Description = "Asks the user for context before it answers.", Public = true }));
    }
}

internal sealed class StatelessFixtureHandlers(IClientInput input, IMcpClientLogger log, McpCatalog catalog)
    : ICommandHandler<TestMissingCapability, ToolContent>,
      ICommandHandler<TestStreamingElicitation, ToolContent>,
      ICommandHandler<TestLoggingTool, ToolContent>,
      ICommandHandler<TestTriggerToolChange, ToolContent>,
      ICommandHandler<TestTriggerPromptChange, ToolContent>,
      ICommandHandler<TestInputElicitation, ToolContent>,
      ICommandHandler<TestInputSampling, ToolContent>,
      ICommandHandler<TestInputListRoots, ToolContent>,
      ICommandHandler<TestInputRequestState, ToolContent>,
      ICommandHandler<TestInputMultiple, ToolContent>,
      ICommandHandler<TestInputMultiRound, ToolContent>,
      ICommandHandler<TestInputTamperedState, ToolContent>,
      ICommandHandler<TestInputCapabilities, ToolContent>,
      ICommandHandler<TestCustomHeader, ToolContent>,
      IQueryHandler<TestInputPrompt, IReadOnlyList<PromptMessage>>
{
    private static ToolContent Text(string text) => new([new TextContentBlock { Text = text }]);

    private static InputRequest Elicit(string message, string schema) => InputRequest.Elicit(JsonSerializer.Deserialize<ElicitRequestParams>(
        $$"""{"mode":"form","message":{{JsonSerializer.Serialize(message)}},"requestedSchema":{{schema}}}""", McpJsonUtilities.DefaultOptions)!);

    private static InputRequest Sample(string prompt) => InputRequest.Sample(new CreateMessageRequestParams
    {
        Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
        MaxTokens = 100,
    });

    private static string Field(JsonNode? answer, string name) => answer?["content"]?[name]?.ToJsonString() ?? "null";

    public async ValueTask<ToolContent> Handle(TestMissingCapability command, CancellationToken cancellationToken)
    {
        var answer = await input.SampleAsync(
            new CreateMessageRequestParams { Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = "hello" }] }], MaxTokens = 10 },
            cancellationToken);
        return Text($"sampled: {answer.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text}");
    }

    public async ValueTask<ToolContent> Handle(TestStreamingElicitation command, CancellationToken cancellationToken)
    {
        await log.LogAsync(LoggingLevel.Info, "streaming without asking", "conformance", cancellationToken);
        return Text("Streaming elicitation test completed.");
    }

    public async ValueTask<ToolContent> Handle(TestLoggingTool command, CancellationToken cancellationToken)
    {
        await log.LogAsync(LoggingLevel.Info, "Logging tool started", "conformance", cancellationToken);
        await log.LogAsync(LoggingLevel.Debug, "Logging tool working", "conformance", cancellationToken);
        await log.LogAsync(LoggingLevel.Info, "Logging tool finished", "conformance", cancellationToken);
        return Text("Logging tool completed.");
    }

    public ValueTask<ToolContent> Handle(TestTriggerToolChange command, CancellationToken cancellationToken)
    {
        if (!catalog.RemoveTool("test_dynamic_tool"))
        {
            catalog.AddTool(new ToolRegistration(typeof(TestSimpleText), "test_dynamic_tool", Description: "Appears and disappears with test_trigger_tool_change.", Public: true));
        }

        return ValueTask.FromResult(Text("The tool list changed."));
    }

    public ValueTask<ToolContent> Handle(TestTriggerPromptChange command, CancellationToken cancellationToken)
    {
        if (!catalog.RemovePrompt("test_dynamic_prompt"))
        {
            catalog.AddPrompt(new PromptRegistration(typeof(SimplePrompt), "test_dynamic_prompt", Description: "Appears and disappears with test_trigger_prompt_change.", Invoker: ExternalTools.QueryInvoker<SimplePrompt, string>(), Public: true));
        }

        return ValueTask.FromResult(Text("The prompt list changed."));
    }

    public async ValueTask<ToolContent> Handle(TestInputElicitation command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest> { ["user_name"] = Elicit("What is your name?", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""") },
            cancellationToken: cancellationToken);
        return Text($"Hello, {answers["user_name"]?["content"]?["name"]?.GetValue<string>() ?? "stranger"}!");
    }

    public async ValueTask<ToolContent> Handle(TestInputSampling command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(new Dictionary<string, InputRequest> { ["sampling"] = Sample("Say something.") }, cancellationToken: cancellationToken);
        return Text($"Sampled: {answers["sampling"]?["content"]?.ToJsonString()}");
    }

    public async ValueTask<ToolContent> Handle(TestInputListRoots command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(new Dictionary<string, InputRequest> { ["roots"] = InputRequest.ListRoots() }, cancellationToken: cancellationToken);
        return Text($"Roots: {answers["roots"]?["roots"]?.ToJsonString()}");
    }

    public async ValueTask<ToolContent> Handle(TestInputRequestState command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest> { ["confirm"] = Elicit("Please confirm.", """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""") },
            state: "awaiting-confirmation",
            cancellationToken);
        return Text(input.State == "awaiting-confirmation"
            ? $"state-ok: confirmed {Field(answers["confirm"], "ok")}"
            : "state-missing");
    }

    public async ValueTask<ToolContent> Handle(TestInputMultiple command, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest>
            {
                ["user_name"] = Elicit("What is your name?", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"""),
                ["sampling"] = Sample("Say something."),
                ["roots"] = InputRequest.ListRoots(),
            },
            state: "multiple",
            cancellationToken);
        return Text($"All inputs received ({answers.Count}).");
    }

    public async ValueTask<ToolContent> Handle(TestInputMultiRound command, CancellationToken cancellationToken)
    {
        if (input.State != "round-2")
        {
            // Round 1 (no state yet): ask step 1. Its answer arrives with state round-1, which asks step 2.
            if (input.State != "round-1")
            {
                await input.AskAsync(new Dictionary<string, InputRequest> { ["step1"] = Elicit("Step 1", """{"type":"object","properties":{"value":{"type":"string"}}}""") }, "round-1", cancellationToken);
            }

            await input.AskAsync(new Dictionary<string, InputRequest> { ["step2"] = Elicit("Step 2", """{"type":"object","properties":{"value":{"type":"string"}}}""") }, "round-2", cancellationToken);
        }

        var last = await input.AskAsync(new Dictionary<string, InputRequest> { ["step2"] = Elicit("Step 2", """{"type":"object","properties":{"value":{"type":"string"}}}""") }, "round-2", cancellationToken);
        return Text($"Multi-round completed: {Field(last["step2"], "value")}");
    }

    public async ValueTask<ToolContent> Handle(TestInputTamperedState command, CancellationToken cancellationToken)
    {
        await input.AskAsync(
            new Dictionary<string, InputRequest> { ["confirm"] = Elicit("Please confirm.", """{"type":"object","properties":{"ok":{"type":"boolean"}}}""") },
            state: "signed",
            cancellationToken);
        return Text("The state was intact.");
    }

    public async ValueTask<ToolContent> Handle(TestInputCapabilities command, CancellationToken cancellationToken)
    {
        var requests = new Dictionary<string, InputRequest>();
        if (input.CanSample)
        {
            requests["sampling"] = Sample("Say something.");
        }

        if (input.CanElicit)
        {
            requests["user_name"] = Elicit("What is your name?", """{"type":"object","properties":{"name":{"type":"string"}}}""");
        }

        if (input.CanListRoots)
        {
            requests["roots"] = InputRequest.ListRoots();
        }

        if (requests.Count == 0)
        {
            return Text("Nothing to ask: the client declared no input capability.");
        }

        var answers = await input.AskAsync(requests, cancellationToken: cancellationToken);
        return Text($"Asked only for: {string.Join(", ", answers.Keys)}");
    }

    public ValueTask<ToolContent> Handle(TestCustomHeader command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Text($"Region: {command.Region ?? "(none)"}"));

    public async ValueTask<IReadOnlyList<PromptMessage>> Handle(TestInputPrompt query, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest> { ["user_context"] = Elicit("What should the prompt be about?", """{"type":"object","properties":{"context":{"type":"string"}}}""") },
            cancellationToken: cancellationToken);
        return [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = $"Context: {Field(answers["user_context"], "context")}" } }];
    }
}
