using System.Globalization;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;

namespace McpCqrs.Mcp.Tasks;

/// <summary>
/// A task as each revision shows it. One stored task serves both: 2026-07-28 (extension) is flat with
/// <c>ttlMs</c>/<c>pollIntervalMs</c> and inlines the outcome in <c>tasks/get</c>; 2025-11-25 nests the task in
/// <c>{task}</c> on creation, uses <c>ttl</c>/<c>pollInterval</c>, and counts an <c>isError</c> result as <c>failed</c>.
/// </summary>
public static class McpTaskWire
{
    public const string ExtensionId = "io.modelcontextprotocol/tasks";
    public const string RelatedTaskMeta = "io.modelcontextprotocol/related-task";

    public static string StatusName(McpTaskStatus status) => status switch
    {
        McpTaskStatus.Working => "working",
        McpTaskStatus.InputRequired => "input_required",
        McpTaskStatus.Completed => "completed",
        McpTaskStatus.Failed => "failed",
        _ => "cancelled",
    };

    /// <summary>The task's base fields in <paramref name="era"/>.</summary>
    public static JsonObject Task(McpTaskRecord task, McpEra era)
    {
        var node = new JsonObject
        {
            ["taskId"] = task.TaskId,
            ["status"] = StatusName(era == McpEra.Session && IsErrorResult(task) ? McpTaskStatus.Failed : task.Status),
        };
        if (task.StatusMessage is { } message)
        {
            node["statusMessage"] = message;
        }

        node["createdAt"] = Timestamp(task.CreatedAt);
        node["lastUpdatedAt"] = Timestamp(task.LastUpdatedAt);
        node[era == McpEra.Stateless ? "ttlMs" : "ttl"] = task.TtlMs;
        node[era == McpEra.Stateless ? "pollIntervalMs" : "pollInterval"] = task.PollIntervalMs;
        return node;
    }

    /// <summary>The answer to the <c>tools/call</c> that created the task.</summary>
    public static JsonObject Created(McpTaskRecord task, McpEra era)
    {
        if (era == McpEra.Session)
        {
            return new JsonObject { ["task"] = Task(task, era) };
        }

        var node = Task(task, era);
        node["resultType"] = "task";
        return node;
    }

    /// <summary>
    /// 2026-07-28 <c>tasks/get</c> (and <c>notifications/tasks</c>): the base fields plus, by status, every
    /// outstanding input request, the exact tool result, or the error.
    /// </summary>
    public static JsonObject Detailed(McpTaskRecord task, IReadOnlyDictionary<string, string> pendingInput)
    {
        var node = Task(task, McpEra.Stateless);
        switch (task.Status)
        {
            case McpTaskStatus.InputRequired:
                var requests = new JsonObject();
                foreach (var (key, request) in pendingInput)
                {
                    requests[key] = JsonNode.Parse(request);
                }

                node["inputRequests"] = requests;
                break;
            case McpTaskStatus.Completed when task.ResultJson is { } result:
                node["result"] = JsonNode.Parse(result);
                break;
            case McpTaskStatus.Failed:
                node["error"] = JsonNode.Parse(task.ErrorJson ?? """{"code":-32603,"message":"The task failed."}""");
                break;
        }

        return node;
    }

    /// <summary>An input request as it is stored and shown: <c>{method, params}</c>.</summary>
    public static string InputRequestJson(InputRequest request) =>
        new JsonObject { ["method"] = request.Method, ["params"] = request.Params?.DeepClone() ?? new JsonObject() }.ToJsonString();

    /// <summary>A JSON-RPC error as stored for a failed task.</summary>
    public static string ErrorJson(int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data.DeepClone();
        }

        return error.ToJsonString();
    }

    private static bool IsErrorResult(McpTaskRecord task) => task.Status == McpTaskStatus.Completed && task.ResultIsError;

    private static string Timestamp(DateTime at) =>
        DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
