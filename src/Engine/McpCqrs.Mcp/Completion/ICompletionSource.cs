namespace McpCqrs.Mcp.Completion;

/// <summary>What the client typed so far, and the other arguments it already chose.</summary>
public sealed record CompletionRequest(string ArgumentName, string Value, IReadOnlyDictionary<string, string> Context);

/// <summary>Suggestions; <see cref="Total"/> and <see cref="HasMore"/> when there are more than returned.</summary>
public sealed record CompletionValues(IReadOnlyList<string> Values, int? Total = null, bool HasMore = false)
{
    public static CompletionValues None { get; } = new([]);
}

/// <summary>
/// Suggests values for an argument (<c>completion/complete</c>). Resolved from the request's services, so an
/// implementation can send a query through the mediator; at most 100 values are passed on.
/// </summary>
public interface ICompletionSource
{
    ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken);
}
