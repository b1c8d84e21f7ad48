using Mediator;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Completion;

namespace McpCqrs.Tests.Unit.Mcp;

// Requests of the query-side tests (resources, prompts, completion). None has a mediator handler: the tests
// give their bindings an invoker instead.

/// <summary>Reads one document.</summary>
/// <param name="Id">The document's id.</param>
public sealed record QsGetDocument([property: McpCompletion(typeof(QsDocumentIds))] int Id) : IQuery<string>;

/// <summary>The desk's opening hours.</summary>
public sealed record QsOpeningHours : IQuery<string>;

/// <summary>A customer's tickets, optionally filtered.</summary>
public sealed record QsCustomerTickets(string CustomerId, string? Status = null, int? Page = null) : IQuery<string>;

/// <summary>A file by its path.</summary>
public sealed record QsFile(string Path) : IQuery<string>;

/// <summary>Has no property for the template variable of its registration.</summary>
public sealed record QsNoSuchVariable(int Id) : IQuery<string>;

/// <summary>Another query, to collide with <see cref="QsGetDocument"/>.</summary>
public sealed record QsOtherDocument(int Id) : IQuery<string>;

/// <summary>Drafts a reply to a ticket.</summary>
/// <param name="TicketId">The ticket to answer.</param>
/// <param name="Note">Something the reply should mention.</param>
/// <param name="Limit">At most this many words.</param>
/// <param name="Tone">How the reply should sound.</param>
public sealed record QsDraftReply(
    int TicketId,
    string? Note,
    int? Limit,
    [property: McpCompletion(typeof(QsTones))] string Tone = "friendly") : IQuery<string>;

/// <summary>A prompt whose completion attribute sits on the constructor parameter, not the property.</summary>
public sealed record QsSummarize([McpCompletion(typeof(QsManyWords))] string Topic, string Language = "en") : IQuery<string>;

/// <summary>Every type a string argument can be converted to.</summary>
public sealed record QsTyped(
    int Count = 0,
    long Big = 0,
    bool Flag = false,
    decimal Amount = 0,
    QsColor Color = QsColor.Red,
    string Text = "",
    int? Maybe = null,
    double Ratio = 0) : IQuery<string>;

public enum QsColor
{
    Red,
    Green,
    Blue,
}

/// <summary>Suggests document ids.</summary>
public sealed class QsDocumentIds : ICompletionSource
{
    public ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new CompletionValues([.. new[] { "1", "12", "123", "2" }.Where(v => v.StartsWith(request.Value, StringComparison.Ordinal))]));
}

/// <summary>Suggests tones; echoes what it was asked (argument name, typed value, context) as its first value.</summary>
public sealed class QsTones : ICompletionSource
{
    public ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        var context = string.Join(",", request.Context.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return ValueTask.FromResult(new CompletionValues([$"{request.ArgumentName}|{request.Value}|{context}", "friendly", "formal"]));
    }
}

/// <summary>Returns 250 words; needs a service from the container, so it only works when resolved through it.</summary>
public sealed class QsManyWords(QsWordList words) : ICompletionSource
{
    public ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new CompletionValues([.. words.Words]));
}

/// <summary>A service <see cref="QsManyWords"/> depends on.</summary>
public sealed class QsWordList
{
    public IReadOnlyList<string> Words { get; } = [.. Enumerable.Range(0, 250).Select(i => $"word{i}")];
}

/// <summary>A document's card, read as JSON.</summary>
public sealed record QsDocumentInfo(int Id) : IQuery<QsDocumentCard>;

public sealed record QsDocumentCard(string Title, int Pages);

/// <summary>A document's bytes.</summary>
public sealed record QsDocumentBytes(int Id) : IQuery<byte[]>;

/// <summary>
/// An <see cref="ISender"/> for handlers under test: answers <see cref="Send(object, CancellationToken)"/> with
/// the given function and records what it was sent; with no function, any call fails the test.
/// </summary>
public sealed class QsSender(Func<object, object?>? answer = null) : ISender
{
    public List<object> Sent { get; } = [];

    public ValueTask<object?> Send(object message, CancellationToken cancellationToken = default)
    {
        Sent.Add(message);
        return answer is null ? throw Unexpected() : ValueTask.FromResult(answer(message));
    }

    public ValueTask<TResponse> Send<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default) => throw Unexpected();

    public ValueTask<TResponse> Send<TResponse>(ICommand<TResponse> command, CancellationToken cancellationToken = default) => throw Unexpected();

    public ValueTask<TResponse> Send<TResponse>(IQuery<TResponse> query, CancellationToken cancellationToken = default) => throw Unexpected();

    public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamQuery<TResponse> query, CancellationToken cancellationToken = default) => throw Unexpected();

    public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamRequest<TResponse> request, CancellationToken cancellationToken = default) => throw Unexpected();

    public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamCommand<TResponse> command, CancellationToken cancellationToken = default) => throw Unexpected();

    public IAsyncEnumerable<object?> CreateStream(object message, CancellationToken cancellationToken = default) => throw Unexpected();

    private static InvalidOperationException Unexpected() => new("The mediator was not expected to be called: the binding has an invoker.");
}
