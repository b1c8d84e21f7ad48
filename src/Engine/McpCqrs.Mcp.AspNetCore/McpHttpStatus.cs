using McpCqrs.Mcp.Dispatch;

namespace McpCqrs.Mcp.AspNetCore;

/// <summary>The HTTP status that carries each <see cref="McpStatus"/> of the engine.</summary>
internal static class McpHttpStatus
{
    public static int Of(McpStatus status) => status switch
    {
        McpStatus.Ok => StatusCodes.Status200OK,
        McpStatus.BadRequest => StatusCodes.Status400BadRequest,
        McpStatus.Forbidden => StatusCodes.Status403Forbidden,
        McpStatus.NotFound => StatusCodes.Status404NotFound,
        McpStatus.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        McpStatus.NotAcceptable => StatusCodes.Status406NotAcceptable,
        McpStatus.Conflict => StatusCodes.Status409Conflict,
        McpStatus.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        McpStatus.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        McpStatus.TooManyRequests => StatusCodes.Status429TooManyRequests,
        McpStatus.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
