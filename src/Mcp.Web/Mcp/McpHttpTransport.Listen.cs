using McpCqrs.Application.Mcp.Dispatch;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Application.Mcp;
using McpCqrs.Application.Mcp.Methods;
using McpCqrs.Application.Mcp.Tasks;
using ModelContextProtocol;

namespace McpCqrs.Web.Mcp;

/// <summary>
/// The bounds of <c>subscriptions/listen</c>: task ids per listen (checked for ownership in one query), resource
/// subscriptions only to resources the caller may read, and streams per principal on this instance.
/// </summary>
internal sealed partial class McpHttpTransport
{
    /// <summary>
    /// What a listen asks for, checked: resources the caller may read (at most
    /// <see cref="McpLimitsOptions.MaxSubscriptionsPerSession"/>), and of the task ids (at most
    /// <see cref="McpLimitsOptions.MaxTaskIdsPerListen"/>, the tasks extension declared) only the caller's own. A refusal
    /// is written as the answer and null returned.
    /// </summary>
    private async Task<ListenFilter?> ListenFilterAsync(HttpContext http, McpCall call)
    {
        var requested = call.ParamsTree!["notifications"] as JsonObject ?? new JsonObject();
        var filter = new ListenFilter(
            requested["toolsListChanged"]?.GetValueKind() == JsonValueKind.True,
            requested["promptsListChanged"]?.GetValueKind() == JsonValueKind.True,
            requested["resourcesListChanged"]?.GetValueKind() == JsonValueKind.True,
            (requested["resourceSubscriptions"] as JsonArray)?.Select(Text).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? []);
        try
        {
            if (await ResourceRefusalAsync(http, filter.ResourceUris) is { } refusal)
            {
                await WriteJsonAsync(http, StatusCodes.Status200OK, JsonRpcWire.Error(call.Id, (int)refusal.ErrorCode, refusal.Message, McpErrors.DataOf(refusal)));
                return null;
            }

            var taskIds = (requested["taskIds"] as JsonArray)?.Select(Text).OfType<string>().Distinct(StringComparer.Ordinal).ToList() ?? [];
            if (taskIds.Count == 0)
            {
                return filter;
            }

            if (call.TaskOptIn is null)
            {
                var (status, code, data) = call.Policy.ProtocolError(call, TaskRules.RequiresTask());
                await WriteJsonAsync(http, McpHttpStatus.Of(status), JsonRpcWire.Error(call.Id, code, "Subscribing to tasks needs the tasks extension in this request's client capabilities.", data));
                return null;
            }

            // Only the caller's own tasks are watched (and acknowledged); others are left out silently.
            var owner = TaskRules.OwnerOf(http.RequestServices.GetRequiredService<ICurrentUser>());
            return filter with { TaskIds = await OwnedTaskIdsAsync(http, taskIds, owner), Owner = owner };
        }
        catch (McpLimitExceededException limit)
        {
            await WriteJsonAsync(http, StatusCodes.Status200OK, McpErrors.LimitError(call.Id, limit));
            return null;
        }
    }

    /// <summary>
    /// Which of <paramref name="taskIds"/> the caller owns, read in one query; more ids than
    /// <see cref="McpLimitsOptions.MaxTaskIdsPerListen"/> are refused before the store is asked.
    /// </summary>
    private static async Task<IReadOnlySet<string>> OwnedTaskIdsAsync(HttpContext http, IReadOnlyCollection<string> taskIds, string owner)
    {
        var max = LimitsOf(http).MaxTaskIdsPerListen;
        if (taskIds.Count > max)
        {
            throw McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxTaskIdsPerListen), max, $"A listen may name at most {max} task ids; this one names {taskIds.Count}.");
        }

        return await http.RequestServices.GetRequiredService<IMcpTaskStore>().OwnedAsync(taskIds, owner, http.RequestAborted);
    }

    /// <summary>
    /// Refuses (-32602, <c>data.uri</c>) the first resource subscription that names no resource of the catalog or one
    /// the caller may not read (the resource's own permissions, as <c>resources/read</c> checks them); more than
    /// <see cref="McpLimitsOptions.MaxSubscriptionsPerSession"/> URIs throw <see cref="McpLimitExceededException"/>.
    /// </summary>
    private async Task<McpProtocolException?> ResourceRefusalAsync(HttpContext http, IReadOnlyCollection<string> uris)
    {
        // As many as a 2025-11-25 session may hold, refused before any is checked.
        var max = LimitsOf(http).MaxSubscriptionsPerSession;
        if (uris.Count > max)
        {
            throw McpLimitExceededException.Of(nameof(McpLimitsOptions.MaxSubscriptionsPerSession), max, $"A listen may subscribe to at most {max} resources; this one names {uris.Count}.");
        }

        var user = http.RequestServices.GetRequiredService<ICurrentUser>();
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
                    reason = await permissions.CheckAsync(binding.RequestType, request, user, http.RequestServices, http.RequestAborted) is { } refused
                        ? $"the caller may not read it: {refused}"
                        : null;
                }
                catch (Exception ex) when (ex is McpCqrs.Application.Common.Exceptions.RequestValidationException or ArgumentException or FormatException)
                {
                    reason = "no resource of this server has that URI";
                }
            }

            if (reason is not null)
            {
                var error = new McpProtocolException($"Cannot subscribe to '{uri}': {reason}.", McpErrorCode.InvalidParams);
                error.Data["uri"] = uri;
                return error;
            }
        }

        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
