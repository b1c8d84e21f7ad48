
namespace McpCqrs.Mcp.Methods;

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
