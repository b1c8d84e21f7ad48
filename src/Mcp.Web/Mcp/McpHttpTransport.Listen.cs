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
    /// the caller may not read (the resource's own permissions, as <c>resources/read</c> checks them).
    /// </summary>
    private async Task<McpProtocolException?> ResourceRefusalAsync(HttpContext http, IEnumerable<string> uris)
    {
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
}
