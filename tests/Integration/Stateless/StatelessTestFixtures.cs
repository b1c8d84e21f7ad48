using System.Text.Json;
using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Completion;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.External;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using InputRequest = McpCqrs.Mcp.Context.InputRequest;

namespace McpCqrs.Tests.Integration.Stateless;

// Handlers that ask the client for input from places the conformance fixtures do not reach: a resource (which
// may answer input_required) and a completion source (completion/complete may not).

/// <summary>A resource whose handler asks the user to confirm before it answers.</summary>
public sealed record AskingResource : IQuery<string>;

/// <summary>A prompt whose <c>topic</c> argument is completed by a source that asks the user.</summary>
public sealed record AskingPrompt([property: McpCompletion(typeof(AskingCompletion))] string Topic) : IQuery<string>;

/// <summary>A prompt named like the request-state tool that asks the same question: only the method tells them apart.</summary>
public sealed record MirrorPrompt : IQuery<string>;

/// <summary>A tool whose integer and boolean arguments are mirrored in <c>Mcp-Param-Count</c> and <c>Mcp-Param-Urgent</c>.</summary>
public sealed record HeaderedCommand([property: McpHeader("Count")] int Count, [property: McpHeader("Urgent")] bool? Urgent = null) : ICommand<ToolContent>;

public static class StatelessTestFixtures
{
    public const string AskingResourceUri = "test://stateless/asking";
    public const string AskingPromptName = "test_stateless_asking_prompt";
    public const string ConfirmKey = "confirm";
    public const string HeaderedTool = "test_stateless_headered";
    public const string MirrorPromptName = "test_input_required_result_request_state";

    public static IServiceCollection AddStatelessTestFixtures(this IServiceCollection services)
    {
        services.AddScoped<IQueryHandler<AskingResource, string>, AskingHandlers>();
        services.AddScoped<IQueryHandler<AskingPrompt, string>, AskingHandlers>();
        services.AddScoped<IQueryHandler<MirrorPrompt, string>, AskingHandlers>();
        services.AddScoped<ICommandHandler<HeaderedCommand, ToolContent>, HeaderedHandler>();
        return services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<HeaderedCommand, ToolContent>(HeaderedTool, t => t with { Description = "Mirrors an integer and a boolean argument in headers.", Public = true })
            .AddExternalResource<AskingResource, string>(AskingResourceUri, r => r with { Name = "asking", Description = "Asks the user before it is read.", MimeType = "text/plain", Public = true })
            .AddExternalPrompt<AskingPrompt, string>(AskingPromptName, p => p with { Description = "A prompt whose argument completion asks the user.", Public = true })
            .AddExternalPrompt<MirrorPrompt, string>(MirrorPromptName, p => p with { Description = "Asks for the confirmation the tool of the same name asks for.", Public = true }));
    }

    internal static ElicitRequestParams Confirmation() => JsonSerializer.Deserialize<ElicitRequestParams>(
        """{"mode":"form","message":"Go ahead?","requestedSchema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}""",
        McpJsonUtilities.DefaultOptions)!;
}

internal sealed class AskingHandlers(IClientInput input)
    : IQueryHandler<AskingResource, string>, IQueryHandler<AskingPrompt, string>, IQueryHandler<MirrorPrompt, string>
{
    public async ValueTask<string> Handle(AskingResource query, CancellationToken cancellationToken)
    {
        var answers = await input.AskAsync(
            new Dictionary<string, InputRequest> { [StatelessTestFixtures.ConfirmKey] = InputRequest.Elicit(StatelessTestFixtures.Confirmation()) },
            state: "resource",
            cancellationToken);
        return $"resource read, ok={answers[StatelessTestFixtures.ConfirmKey]?["content"]?["ok"]?.ToJsonString() ?? "null"}, state={input.State ?? "none"}";
    }

    public async ValueTask<string> Handle(MirrorPrompt query, CancellationToken cancellationToken)
    {
        await input.AskAsync(
            new Dictionary<string, InputRequest> { [StatelessTestFixtures.ConfirmKey] = InputRequest.Elicit(StatelessTestFixtures.Confirmation()) },
            state: "awaiting-confirmation",
            cancellationToken);
        return "mirror prompt completed";
    }

    public ValueTask<string> Handle(AskingPrompt query, CancellationToken cancellationToken) => ValueTask.FromResult($"About {query.Topic}.");
}

internal sealed class HeaderedHandler : ICommandHandler<HeaderedCommand, ToolContent>
{
    public ValueTask<ToolContent> Handle(HeaderedCommand command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([new TextContentBlock { Text = $"count={command.Count}, urgent={command.Urgent?.ToString() ?? "null"}" }]));
}

/// <summary>Asks the user while completing: completion/complete must never turn that into input_required.</summary>
public sealed class AskingCompletion(IClientInput input) : ICompletionSource
{
    public async ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        var answer = await input.ElicitAsync(StatelessTestFixtures.Confirmation(), cancellationToken);
        return new CompletionValues([$"{request.Value}-{answer.Action}"]);
    }
}
