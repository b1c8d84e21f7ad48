using System.Text.Json.Nodes;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Tasks;

/// <summary>When a <c>tools/call</c> becomes a task, and whose task it is.</summary>
public static class TaskRules
{
    /// <summary>
    /// Whether this call runs as a task. The server decides (2026-07-28): a task when the tool allows one, the
    /// client takes tasks and this instance runs a worker. A tool that runs only as a task refuses a client that
    /// takes none: 2026-07-28 with -32021 naming the extension; 2025-11-25 with -32601. A 2025-11-25 call that asks
    /// for a task of a tool that never runs as one is -32601 too.
    /// </summary>
    public static bool Decide(ToolBinding binding, McpTaskOptIn? optIn, IMcpTaskQueue? queue, McpEra era)
    {
        switch (binding.TaskSupport)
        {
            case TaskSupport.Forbidden when optIn is { Era: McpEra.Session }:
                throw new McpProtocolException($"Tool '{binding.Name}' does not run as a task: call it without params.task.", McpErrorCode.MethodNotFound);
            case TaskSupport.Forbidden:
                return false;
            case TaskSupport.Required when optIn is null:
                throw era == McpEra.Stateless
                    ? RequiresTask(binding.Name)
                    : new McpProtocolException($"Tool '{binding.Name}' runs only as a task: call it with params.task.", McpErrorCode.MethodNotFound);
            case TaskSupport.Required when queue is null:
                throw new McpProtocolException($"Tool '{binding.Name}' runs only as a task, and this server runs no task worker.", McpErrorCode.InternalError);
            default:
                return optIn is not null && queue is not null;
        }
    }

    /// <summary>The refusal of a task-only tool (or a <c>tasks/*</c> method) to a client that did not opt in.</summary>
    public static McpProtocolException RequiresTask(string? tool = null)
    {
        var what = tool is null ? "Task methods need" : $"Tool '{tool}' runs only as a task, which needs";
        var error = new McpProtocolException(
            $"{what} the client to declare the extension '{McpTaskWire.ExtensionId}' in this request's client capabilities.",
            McpErrorCode.MissingRequiredClientCapability);
        error.Data["requiredCapabilities"] = new JsonObject { ["extensions"] = new JsonObject { [McpTaskWire.ExtensionId] = new JsonObject() } };
        return error;
    }

    /// <summary>
    /// The auth context a task is bound to: the principal's subject; a caller without one (anonymous, or a token
    /// without <c>sub</c>) is bound to its network address, so such callers do not share tasks across addresses.
    /// </summary>
    public static string OwnerOf(ICurrentUser? user) =>
        user?.Id is { Length: > 0 } id ? id : "anonymous@" + (user?.ClientAddress ?? "unknown");
}
