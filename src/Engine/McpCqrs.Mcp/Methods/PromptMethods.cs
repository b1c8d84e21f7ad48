using McpCqrs.Mcp.Security;
using Mediator;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Catalog;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

/// <summary><c>prompts/list</c>.</summary>
public sealed record McpListPrompts(string? Cursor) : IMcpMethod<ListPromptsResult>;

/// <summary><c>prompts/get</c>.</summary>
public sealed record McpGetPrompt(string Name, IReadOnlyDictionary<string, string>? Arguments) : IMcpMethod<GetPromptResult>;

public sealed class McpPromptsHandler(McpCatalog catalog, McpServerInfo server, IServiceProvider services, ISender sender)
    : IMcpMethodHandler<McpListPrompts, ListPromptsResult>, IMcpMethodHandler<McpGetPrompt, GetPromptResult>
{
    public async ValueTask<ListPromptsResult> Handle(McpListPrompts query, CancellationToken cancellationToken)
    {
        var prompts = await services.GetRequiredService<VisibleBindings>().FilterAsync(catalog.Prompts, p => p.RequestType, cancellationToken);
        var (page, next) = ListCursor.Page(prompts, query.Cursor, server.ListPageSize, "prompts");
        return new ListPromptsResult { Prompts = [.. page.Select(p => p.Prompt)], NextCursor = next };
    }

    public async ValueTask<GetPromptResult> Handle(McpGetPrompt query, CancellationToken cancellationToken)
    {
        if (!catalog.TryGetPrompt(query.Name, out var binding))
        {
            throw new McpProtocolException($"Unknown prompt: '{query.Name}'.", McpErrorCode.InvalidParams);
        }

        var given = query.Arguments ?? new Dictionary<string, string>();
        var missing = (binding.Prompt.Arguments ?? [])
            .Where(a => a.Required == true && !given.Keys.Any(k => string.Equals(k, a.Name, StringComparison.OrdinalIgnoreCase)))
            .Select(a => a.Name)
            .ToList();
        if (missing.Count > 0)
        {
            throw new McpProtocolException($"Missing required argument{(missing.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", missing.Select(m => $"'{m}'"))}.", McpErrorCode.InvalidParams);
        }

        object? result;
        try
        {
            var request = StringArguments.Bind(binding.RequestType, given);
            result = await BoundRequests.SendAsync(binding.Invoker, request, services, sender, BoundRequests.Default(services), cancellationToken, BoundRequests.CancellationOf(services));
        }
        catch (Exception ex) when (ex is RequestValidationException || ApplicationErrors.Classify(ex) is not null)
        {
            throw new McpProtocolException($"Prompt '{query.Name}': {ex.Message}", McpErrorCode.InvalidParams);
        }

        var prompt = result switch
        {
            PromptContent content => content.ToResult(binding.Prompt.Description),
            GetPromptResult full => full,
            PromptMessage message => new GetPromptResult { Description = binding.Prompt.Description, Messages = [message] },
            IEnumerable<PromptMessage> messages => new GetPromptResult { Description = binding.Prompt.Description, Messages = [.. messages] },
            string text => new GetPromptResult
            {
                Description = binding.Prompt.Description,
                Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = text } }],
            },
            _ => throw new InvalidOperationException($"Prompt '{query.Name}' returned {result?.GetType().Name ?? "null"}; return a string, PromptContent, PromptMessage(s) or GetPromptResult."),
        };
        ResultLimit.Check(McpCqrs.Mcp.Output.ResultSize.Of(prompt), services, $"The messages of prompt '{query.Name}'");
        return prompt;
    }
}
