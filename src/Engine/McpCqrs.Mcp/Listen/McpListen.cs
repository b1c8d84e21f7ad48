using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Dispatch;
using McpCqrs.Mcp.Eras;
using McpCqrs.Mcp.Methods;
using McpCqrs.Mcp.Tasks;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Listen;

/// <summary><c>subscriptions/listen</c> (stateless era): what the client opts in to (<c>params.notifications</c>).</summary>
public sealed record McpListen(JsonObject Notifications) : IMcpMethod<McpStream>;

/// <summary>
/// An open <c>subscriptions/listen</c>: the acknowledgement to send first, then the notifications as they come (each
/// tagged with the subscription id), and — when the server ends the stream (shutdown, or
/// <see cref="McpLimitsOptions.MaxStreamDuration"/>) rather than the client — the listen's result, so the client
/// knows to listen again. Every message is a whole JSON-RPC message; the host frames them. Disposing it gives back
/// the caller's stream place and stops the deliveries. Made from its channel, the stream also gets the host's
/// keep-alive comment every <c>Mcp:KeepAliveInterval</c>; made from a reader alone it gets none (the host cannot wake
/// it between messages).
/// </summary>
public sealed class McpStream(string acknowledgement, ChannelReader<string> notifications, Func<string> end, TimeSpan maxDuration, params IDisposable[] holds) : IDisposable
{
    public string Acknowledgement { get; } = acknowledgement;

    /// <summary>A stream over <paramref name="messages"/>: the host reads them, and puts its keep-alive beats in it too.</summary>
    public McpStream(string acknowledgement, Channel<string> messages, Func<string> end, TimeSpan maxDuration, params IDisposable[] holds)
        : this(acknowledgement, messages.Reader, end, maxDuration, holds) => Beats = messages.Writer;

    public ChannelReader<string> Notifications { get; } = notifications;

    /// <summary>
    /// The writer of <see cref="Notifications"/>, for the host's keep-alive beat (a <see cref="Beat"/> read from the
    /// stream is the host's turn to keep the connection alive, not a message); null for a stream made from a reader
    /// alone, which the host does not keep alive.
    /// </summary>
    internal ChannelWriter<string>? Beats { get; }

    /// <summary>A keep-alive beat: empty, as no JSON-RPC message is.</summary>
    internal const string Beat = "";

    /// <summary>How long the stream may stay open before the server ends it.</summary>
    public TimeSpan MaxDuration { get; } = maxDuration;

    /// <summary>The listen's result, sent last when the server ends the stream.</summary>
    public string End() => end();

    public void Dispose()
    {
        foreach (var hold in holds)
        {
            hold.Dispose();
        }
    }
}

/// <summary>
/// Opens a listen: refused when the caller holds <see cref="McpLimitsOptions.MaxListenStreamsPerPrincipal"/> streams
/// already, names more than <see cref="McpLimitsOptions.MaxSubscriptionsPerSession"/> resources or a resource it
/// may not read (−32602 with <c>data.uri</c>), or names more than <see cref="McpLimitsOptions.MaxTaskIdsPerListen"/>
/// task ids, or task ids without the tasks extension (−32021). Of the task ids, only the caller's own are watched.
/// </summary>
internal sealed class McpListenHandler(
    ListenStreams listeners,
    McpCatalog catalog,
    PermissionEvaluator permissions,
    ICurrentUser user,
    IMcpRequestContext context,
    StatelessEraPolicy era,
    IServiceProvider services) : IMcpMethodHandler<McpListen, McpStream>
{
    public async ValueTask<McpStream> Handle(McpListen request, CancellationToken cancellationToken)
    {
        var limits = BoundRequests.Limits(services);
        var owner = TaskRules.OwnerOf(user);
        var place = listeners.TryOpen(owner, limits.MaxListenStreamsPerPrincipal)
            ?? throw McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxListenStreamsPerPrincipal), limits.MaxListenStreamsPerPrincipal, $"At most {limits.MaxListenStreamsPerPrincipal} listen streams may be open at once; close one first.");
        try
        {
            var filter = await FilterAsync(request.Notifications, owner, limits, cancellationToken);
            var subscriptionId = JsonSerializer.SerializeToNode(context.RequestId, JsonRpcWire.Options);
            var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            var registration = listeners.Register(filter, n => channel.Writer.TryWrite(Tagged(n, subscriptionId)));
            var acknowledgement = Tagged(new JsonRpcNotification { Method = NotificationMethods.SubscriptionsAcknowledgedNotification, Params = new JsonObject { ["notifications"] = Honoured(filter) } }, subscriptionId);
            var id = context.RequestId!.Value;
            return new McpStream(
                acknowledgement,
                channel,
                () =>
                {
                    var end = era.WithServerInfo(new JsonObject { ["resultType"] = "complete" });
                    ((JsonObject)end["_meta"]!)[StatelessEraPolicy.MetaSubscriptionId] = subscriptionId?.DeepClone();
                    return JsonRpcWire.Response(id, end);
                },
                limits.MaxStreamDuration,
                registration,
                place);
        }
        catch
        {
            place.Dispose();
            throw;
        }
    }

    /// <summary>What the listen asks for, checked.</summary>
    private async Task<ListenFilter> FilterAsync(JsonObject requested, string owner, McpLimitsOptions limits, CancellationToken cancellationToken)
    {
        var filter = new ListenFilter(
            requested["toolsListChanged"]?.GetValueKind() == JsonValueKind.True,
            requested["promptsListChanged"]?.GetValueKind() == JsonValueKind.True,
            requested["resourcesListChanged"]?.GetValueKind() == JsonValueKind.True,
            (requested["resourceSubscriptions"] as JsonArray)?.Select(Text).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? []);
        await CheckResourcesAsync(filter.ResourceUris, limits, cancellationToken);

        var taskIds = (requested["taskIds"] as JsonArray)?.Select(Text).OfType<string>().Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (taskIds.Count == 0)
        {
            return filter;
        }

        if (context.TaskOptIn is null)
        {
            var refusal = TaskRules.RequiresTask();
            var error = new McpProtocolException("Subscribing to tasks needs the tasks extension in this request's client capabilities.", McpErrorCode.MissingRequiredClientCapability);
            error.Data["requiredCapabilities"] = refusal.Data["requiredCapabilities"];
            throw error;
        }

        if (taskIds.Count > limits.MaxTaskIdsPerListen)
        {
            throw McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxTaskIdsPerListen), limits.MaxTaskIdsPerListen, $"A listen may name at most {limits.MaxTaskIdsPerListen} task ids; this one names {taskIds.Count}.");
        }

        // Only the caller's own tasks are watched (and acknowledged); others are left out silently, read in one query.
        var owned = await services.GetRequiredService<IMcpTaskStore>().OwnedAsync(taskIds, owner, cancellationToken);
        return filter with { TaskIds = owned, Owner = owner };
    }

    /// <summary>
    /// Refuses (-32602, <c>data.uri</c>) the first resource subscription that names no resource of the catalog or one
    /// the caller may not read (the resource's own permissions, as <c>resources/read</c> checks them); more than
    /// <see cref="McpLimitsOptions.MaxSubscriptionsPerSession"/> URIs are refused before any is checked.
    /// </summary>
    private async Task CheckResourcesAsync(IReadOnlyCollection<string> uris, McpLimitsOptions limits, CancellationToken cancellationToken)
    {
        var max = limits.MaxSubscriptionsPerSession;
        if (uris.Count > max)
        {
            throw McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxSubscriptionsPerSession), max, $"A listen may subscribe to at most {max} resources; this one names {uris.Count}.");
        }

        foreach (var uri in uris)
        {
            string? reason;
            if (!catalog.TryMatchResource(uri, out var binding, out var variables))
            {
                reason = "no resource of this server has that URI";
            }
            else
            {
                try
                {
                    var request = StringArguments.Bind(binding.RequestType, variables);
                    reason = await permissions.CheckAsync(binding.RequestType, request, user, services, cancellationToken) is { } refused
                        ? $"the caller may not read it: {refused}"
                        : null;
                }
                catch (Exception ex) when (ex is Exceptions.RequestValidationException or ArgumentException or FormatException)
                {
                    reason = "no resource of this server has that URI";
                }
            }

            if (reason is not null)
            {
                var error = new McpProtocolException($"Cannot subscribe to '{uri}': {reason}.", McpErrorCode.InvalidParams);
                error.Data["uri"] = uri;
                throw error;
            }
        }
    }

    /// <summary>What the acknowledgement says the stream will send.</summary>
    private static JsonObject Honoured(ListenFilter filter)
    {
        var honoured = new JsonObject();
        if (filter.Tools)
        {
            honoured["toolsListChanged"] = true;
        }

        if (filter.Prompts)
        {
            honoured["promptsListChanged"] = true;
        }

        if (filter.Resources)
        {
            honoured["resourcesListChanged"] = true;
        }

        if (filter.ResourceUris.Count > 0)
        {
            honoured["resourceSubscriptions"] = new JsonArray([.. filter.ResourceUris.Select(u => (JsonNode?)u)]);
        }

        if (filter.TaskIds.Count > 0)
        {
            honoured["taskIds"] = new JsonArray([.. filter.TaskIds.Select(t => (JsonNode?)t)]);
        }

        return honoured;
    }

    private static string Tagged(JsonRpcNotification notification, JsonNode? subscriptionId)
    {
        var parameters = notification.Params?.DeepClone() as JsonObject ?? new JsonObject();
        var meta = parameters["_meta"] as JsonObject ?? new JsonObject();
        meta[StatelessEraPolicy.MetaSubscriptionId] = subscriptionId?.DeepClone();
        parameters["_meta"] = meta;
        return JsonRpcWire.Message(new JsonRpcNotification { Method = notification.Method, Params = parameters });
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
