using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Completion;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary><c>completion/complete</c>.</summary>
public sealed record McpComplete(CompleteRequestParams Params) : IMcpMethod<CompleteResult>;

public sealed class McpCompleteHandler(McpCatalog catalog, IServiceProvider services) : IMcpMethodHandler<McpComplete, CompleteResult>
{
    public const int MaxValues = 100;

    public async ValueTask<CompleteResult> Handle(McpComplete query, CancellationToken cancellationToken)
    {
        var parameters = query.Params;
        var argument = parameters.Argument ?? throw new McpProtocolException("completion/complete needs params.argument.", McpErrorCode.InvalidParams);
        Type? source = parameters.Ref switch
        {
            PromptReference prompt => catalog.TryGetPrompt(prompt.Name, out var p)
                ? p.Completions.GetValueOrDefault(argument.Name)
                : throw new McpProtocolException($"Unknown prompt: '{prompt.Name}'.", McpErrorCode.InvalidParams),
            ResourceTemplateReference resource => catalog.TryGetResourceTemplate(resource.Uri ?? string.Empty, out var r)
                ? r.Completions.GetValueOrDefault(argument.Name)
                : throw new McpProtocolException($"Unknown resource template: '{resource.Uri}'.", McpErrorCode.InvalidParams),
            _ => throw new McpProtocolException("completion/complete: ref must be ref/prompt or ref/resource.", McpErrorCode.InvalidParams),
        };

        var values = CompletionValues.None;
        if (source is not null)
        {
            var completer = (ICompletionSource)ActivatorUtilities.GetServiceOrCreateInstance(services, source);
            var context = parameters.Context?.Arguments is { } known ? new Dictionary<string, string>(known) : new Dictionary<string, string>();
            values = await completer.CompleteAsync(new CompletionRequest(argument.Name, argument.Value ?? string.Empty, context), cancellationToken);
        }

        var shown = values.Values.Take(MaxValues).ToList();
        return new CompleteResult
        {
            Completion = new ModelContextProtocol.Protocol.Completion
            {
                Values = shown,
                Total = values.Total ?? values.Values.Count,
                HasMore = values.HasMore || values.Values.Count > shown.Count,
            },
        };
    }
}
