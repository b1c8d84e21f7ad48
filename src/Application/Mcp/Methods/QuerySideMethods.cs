using McpCqrs.Application.Common.Security;
using System.Text.Json;
using Mediator;
using McpCqrs.Application.Common.Exceptions;
using McpCqrs.Application.Common.Serialization;
using McpCqrs.Application.Mcp.Catalog;
using McpCqrs.Application.Mcp.Completion;
using McpCqrs.Application.Mcp.Context;
using McpCqrs.Application.Mcp.Resources;
using McpCqrs.Domain.Common;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Methods;

/// <summary><c>resources/list</c>: the fixed-URI resources.</summary>
public sealed record McpListResources(string? Cursor) : IMcpMethod<ListResourcesResult>;

/// <summary><c>resources/templates/list</c>.</summary>
public sealed record McpListResourceTemplates(string? Cursor) : IMcpMethod<ListResourceTemplatesResult>;

/// <summary><c>resources/read</c>.</summary>
public sealed record McpReadResource(string Uri) : IMcpMethod<ReadResourceResult>;

/// <summary><c>resources/subscribe</c>.</summary>
public sealed record McpSubscribe(string Uri) : IMcpMethod<EmptyResult>;

/// <summary><c>resources/unsubscribe</c>.</summary>
public sealed record McpUnsubscribe(string Uri) : IMcpMethod<EmptyResult>;

/// <summary><c>prompts/list</c>.</summary>
public sealed record McpListPrompts(string? Cursor) : IMcpMethod<ListPromptsResult>;

/// <summary><c>prompts/get</c>.</summary>
public sealed record McpGetPrompt(string Name, IReadOnlyDictionary<string, string>? Arguments) : IMcpMethod<GetPromptResult>;

/// <summary><c>completion/complete</c>.</summary>
public sealed record McpComplete(CompleteRequestParams Params) : IMcpMethod<CompleteResult>;

public sealed class McpListResourcesHandler(McpCatalog catalog, McpServerInfo server, VisibleBindings visible)
    : IMcpMethodHandler<McpListResources, ListResourcesResult>, IMcpMethodHandler<McpListResourceTemplates, ListResourceTemplatesResult>
{
    public async ValueTask<ListResourcesResult> Handle(McpListResources query, CancellationToken cancellationToken)
    {
        var resources = await visible.FilterAsync([.. catalog.Resources.Where(r => r.Resource is not null)], r => r.RequestType, cancellationToken);
        var (page, next) = ListCursor.Page(resources, query.Cursor, server.ListPageSize, "resources");
        return new ListResourcesResult { Resources = [.. page.Select(r => r.Resource!)], NextCursor = next };
    }

    public async ValueTask<ListResourceTemplatesResult> Handle(McpListResourceTemplates query, CancellationToken cancellationToken)
    {
        var templates = await visible.FilterAsync([.. catalog.Resources.Where(r => r.Template is not null)], r => r.RequestType, cancellationToken);
        var (page, next) = ListCursor.Page(templates, query.Cursor, server.ListPageSize, "templates");
        return new ListResourceTemplatesResult { ResourceTemplates = [.. page.Select(r => r.Template!)], NextCursor = next };
    }
}

public sealed class McpReadResourceHandler(McpCatalog catalog, IServiceProvider services, ISender sender)
    : IMcpMethodHandler<McpReadResource, ReadResourceResult>
{
    public async ValueTask<ReadResourceResult> Handle(McpReadResource query, CancellationToken cancellationToken)
    {
        var (binding, result) = await ReadAsync(catalog, services, sender, query.Uri, cancellationToken);
        var read = new ReadResourceResult { Contents = [.. ResourceContentsOf(query.Uri, binding, result)] };
        ResultLimit.Check(McpCqrs.Application.Mcp.Output.ResultSize.Of(read.Contents), services, $"The contents of '{query.Uri}'");
        return read;
    }

    /// <summary>
    /// Reads the resource at <paramref name="uri"/> through its binding's pipeline (permissions, rate limits,
    /// validation): not found (-32002) when no resource matches or the entity does not exist, invalid params when the
    /// URI does not bind, <see cref="ForbiddenAccessException"/> when the caller may not read it.
    /// </summary>
    internal static async ValueTask<(ResourceBinding Binding, object? Result)> ReadAsync(McpCatalog catalog, IServiceProvider services, ISender sender, string uri, CancellationToken cancellationToken)
    {
        if (!catalog.TryMatchResource(uri, out var binding, out var variables))
        {
            throw ResourceErrors.NotFound(uri);
        }

        try
        {
            var request = StringArguments.Bind(binding.RequestType, variables);
            return (binding, await BoundRequests.SendAsync(binding.Invoker, request, services, sender, BoundRequests.Default(services), cancellationToken));
        }
        catch (EntityNotFoundException)
        {
            throw ResourceErrors.NotFound(uri);
        }
        catch (RequestValidationException ex)
        {
            throw new McpProtocolException($"Invalid resource URI '{uri}': {ex.Message}", McpErrorCode.InvalidParams);
        }
        catch (DomainException ex)
        {
            throw new McpProtocolException(ex.Message, McpErrorCode.InvalidParams);
        }
    }

    internal static IEnumerable<ResourceContents> ResourceContentsOf(string uri, ResourceBinding binding, object? result) => result switch
    {
        ResourceContents contents => [contents],
        IEnumerable<ResourceContents> many => many,
        string text => [new TextResourceContents { Uri = uri, MimeType = binding.MimeType ?? "text/plain", Text = text }],
        byte[] bytes => [BlobResourceContents.FromBytes(bytes, uri, binding.MimeType ?? "application/octet-stream")],
        ReadOnlyMemory<byte> memory => [BlobResourceContents.FromBytes(memory, uri, binding.MimeType ?? "application/octet-stream")],
        _ => [new TextResourceContents
        {
            Uri = uri,
            MimeType = binding.MimeType ?? "application/json",
            Text = JsonSerializer.Serialize(result, binding.ResultType, AppJson.Options),
        }],
    };
}

/// <summary>
/// <see cref="McpLimitsOptions.MaxToolResultBytes"/> for the results that are not tool results (<c>resources/read</c>,
/// <c>prompts/get</c>): they cannot carry a tool error, so one over the limit is the JSON-RPC limit error
/// (<see cref="McpLimitExceededException"/>, <c>-32003</c> with <c>data: { limit, max }</c>).
/// </summary>
internal static class ResultLimit
{
    public static void Check(long size, IServiceProvider services, string what)
    {
        var max = BoundRequests.Limits(services).MaxToolResultBytes;
        if (size > max)
        {
            throw McpLimitExceededException.Of(
                nameof(McpLimitsOptions.MaxToolResultBytes),
                max,
                $"{what} are {size} bytes, more than the {max} bytes this server sends in one result ({McpLimitsOptions.SectionName}:{nameof(McpLimitsOptions.MaxToolResultBytes)}).");
        }
    }
}

/// <summary>The errors of the resource methods.</summary>
public static class ResourceErrors
{
    /// <summary>-32002 with the URI in <c>data</c>, as the specification asks.</summary>
    public static McpProtocolException NotFound(string uri)
    {
        var error = new McpProtocolException($"Resource not found: '{uri}'.", McpErrorCode.ResourceNotFound);
        error.Data["uri"] = uri;
        return error;
    }
}

/// <summary>
/// <c>resources/subscribe</c> and <c>resources/unsubscribe</c>. Only what the caller may read can be subscribed to: the
/// resource is read once through its binding's pipeline, so an unknown URI is not found and a forbidden one is refused
/// exactly as <c>resources/read</c> would answer. A session holds at most <see cref="McpLimitsOptions.MaxSubscriptionsPerSession"/>.
/// </summary>
public sealed class McpSubscriptionHandler(
    McpCatalog catalog,
    IMcpRequestContext context,
    IResourceSubscriptions subscriptions,
    IServiceProvider services,
    ISender sender,
    McpLimitsOptions limits)
    : IMcpMethodHandler<McpSubscribe, EmptyResult>, IMcpMethodHandler<McpUnsubscribe, EmptyResult>
{
    public async ValueTask<EmptyResult> Handle(McpSubscribe command, CancellationToken cancellationToken)
    {
        await McpReadResourceHandler.ReadAsync(catalog, services, sender, command.Uri, cancellationToken);
        if (context.SessionId is { } session)
        {
            var max = limits.MaxSubscriptionsPerSession;
            if (!await subscriptions.SubscribeAsync(session, command.Uri, max, cancellationToken))
            {
                throw McpLimitExceededException.Of(
                    nameof(McpLimitsOptions.MaxSubscriptionsPerSession),
                    max,
                    $"This session holds {max} resource subscriptions already: unsubscribe from one first.");
            }
        }

        return new EmptyResult();
    }

    public async ValueTask<EmptyResult> Handle(McpUnsubscribe command, CancellationToken cancellationToken)
    {
        if (context.SessionId is { } session)
        {
            await subscriptions.UnsubscribeAsync(session, command.Uri, cancellationToken);
        }

        return new EmptyResult();
    }
}

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
            result = await BoundRequests.SendAsync(binding.Invoker, request, services, sender, BoundRequests.Default(services), cancellationToken);
        }
        catch (Exception ex) when (ex is RequestValidationException or DomainException)
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
        ResultLimit.Check(McpCqrs.Application.Mcp.Output.ResultSize.Of(prompt), services, $"The messages of prompt '{query.Name}'");
        return prompt;
    }
}

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
