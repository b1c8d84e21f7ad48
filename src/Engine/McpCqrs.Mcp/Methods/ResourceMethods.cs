using McpCqrs.Mcp.Security;
using System.Text.Json;
using Mediator;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.Serialization;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Resources;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Methods;

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

internal sealed class McpListResourcesHandler(McpCatalog catalog, McpServerInfo server, VisibleBindings visible)
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
        var (binding, result) = await ReadAsync(catalog, services, sender, query.Uri, cancellationToken, BoundRequests.CancellationOf(services));
        var read = new ReadResourceResult { Contents = [.. ResourceContentsOf(query.Uri, binding, result)] };
        ResultLimit.Check(McpCqrs.Mcp.Output.ResultSize.Of(read.Contents), services, $"The contents of '{query.Uri}'");
        return read;
    }

    /// <summary>
    /// Reads the resource at <paramref name="uri"/> through its binding's pipeline (permissions, rate limits,
    /// validation): not found (-32002) when no resource matches or the entity does not exist, invalid params when the
    /// URI does not bind, <see cref="ForbiddenAccessException"/> when the caller may not read it. <paramref name="owned"/>:
    /// the call's own token source, when the read is the last to use the call's token (see <see cref="BoundRequests"/>).
    /// </summary>
    internal static async ValueTask<(ResourceBinding Binding, object? Result)> ReadAsync(McpCatalog catalog, IServiceProvider services, ISender sender, string uri, CancellationToken cancellationToken, Dispatch.CallCancellation? owned = null)
    {
        if (!catalog.TryMatchResource(uri, out var binding, out var variables))
        {
            throw ResourceErrors.NotFound(uri);
        }

        try
        {
            var request = StringArguments.Bind(binding.RequestType, variables);
            return (binding, await BoundRequests.SendAsync(binding.Invoker, request, services, sender, BoundRequests.Default(services), cancellationToken, owned));
        }
        catch (Exception ex) when (ApplicationErrors.Classify(ex) is { Kind: ApplicationErrorKind.NotFound })
        {
            throw ResourceErrors.NotFound(uri);
        }
        catch (RequestValidationException ex)
        {
            throw new McpProtocolException($"Invalid resource URI '{uri}': {ex.Message}", McpErrorCode.InvalidParams);
        }
        catch (Exception ex) when (ApplicationErrors.Classify(ex) is not null)
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
        // Read under a timeout source of its own: the subscription below still uses the call's token.
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
