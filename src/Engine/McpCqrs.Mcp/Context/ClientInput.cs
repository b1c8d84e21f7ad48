using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Context;

/// <summary>Something a handler asks the client: <c>elicitation/create</c>, <c>sampling/createMessage</c> or <c>roots/list</c>.</summary>
public sealed record InputRequest(string Method, JsonNode? Params)
{
    public static InputRequest Elicit(ElicitRequestParams request) =>
        new(RequestMethods.ElicitationCreate, JsonSerializer.SerializeToNode(request, McpJsonUtilities.DefaultOptions));

    public static InputRequest Sample(CreateMessageRequestParams request) =>
        new(RequestMethods.SamplingCreateMessage, JsonSerializer.SerializeToNode(request, McpJsonUtilities.DefaultOptions));

    public static InputRequest ListRoots() => new(RequestMethods.RootsList, new JsonObject());
}

/// <summary>
/// Stateless era: the handler needs answers the client has not given yet. The transport turns it into an
/// <c>input_required</c> result carrying <see cref="Requests"/> and the protected <see cref="State"/>; the client
/// answers and retries, and the handler runs again with the answers (and its state) available.
/// </summary>
public sealed class InputRequiredException(IReadOnlyDictionary<string, InputRequest> requests, string? state)
    : Exception("The request needs input from the client.")
{
    public IReadOnlyDictionary<string, InputRequest> Requests { get; } = requests;

    public string? State { get; } = state;
}

/// <summary>
/// Lets a handler ask the client something while it runs — an answer from the user (elicitation), an LLM
/// completion (sampling) or the client's roots — with the same code in both protocol eras: in 2025-11-25 the
/// request goes to the client on the response stream and the call waits for the answer; in 2026-07-28 the call
/// ends with an <c>input_required</c> result and runs again when the client retries with the answers.
/// A handler must therefore be able to run again from the start (ask before it changes anything).
/// Only what the client declared may be asked; asking anything else is <c>-32021</c>. Inside a task the questions
/// become the task's input requests, answered whenever the client polls (what may be asked is what the client that
/// created the task declared).
/// </summary>
public interface IClientInput
{
    bool CanSample { get; }

    bool CanElicit { get; }

    bool CanListRoots { get; }

    /// <summary>Stateless era: what the handler passed as <c>state</c> in the previous round (verified), else null.</summary>
    string? State { get; }

    /// <summary>Asks several things at once; answers are keyed like the requests. <paramref name="state"/> is handed back next round.</summary>
    ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, string? state = null, CancellationToken cancellationToken = default);

    ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken = default);

    ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken = default);

    ValueTask<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default);
}

internal sealed class McpClientInput(IMcpRequestContext context) : IClientInput
{
    public bool CanSample => (context.Task is not null || context.Outbound is not null) && context.ClientCapabilities?.Sampling is not null;

    public bool CanElicit => (context.Task is not null || context.Outbound is not null) && context.ClientCapabilities?.Elicitation is not null;

    public bool CanListRoots => (context.Task is not null || context.Outbound is not null) && context.ClientCapabilities?.Roots is not null;

    public string? State => context.RequestState;

    public async ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(
        IReadOnlyDictionary<string, InputRequest> requests,
        string? state = null,
        CancellationToken cancellationToken = default)
    {
        foreach (var request in requests.Values)
        {
            EnsureDeclared(request.Method);
        }

        if (context.Task is { } task)
        {
            return await task.AskAsync(requests, cancellationToken);
        }

        if (context.Era == McpEra.Stateless)
        {
            var given = context.InputResponses ?? new Dictionary<string, JsonNode?>();
            var missing = requests.Where(r => !given.ContainsKey(r.Key)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
            if (missing.Count > 0)
            {
                throw new InputRequiredException(missing, state);
            }

            foreach (var key in requests.Keys)
            {
                if (given[key] is not JsonObject)
                {
                    throw new McpProtocolException($"inputResponses['{key}'] must be an object (the client's answer to the request).", McpErrorCode.InvalidParams);
                }
            }

            if (context is McpRequestContext mutable)
            {
                mutable.MarkAnswered(requests.Keys);
            }

            return requests.Keys.ToDictionary(k => k, k => given[k], StringComparer.Ordinal);
        }

        var answers = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, request) in requests)
        {
            answers[key] = await context.Outbound!.RequestAsync(request.Method, request.Params?.DeepClone(), cancellationToken);
        }

        return answers;
    }

    public ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken = default) =>
        AskOneAsync<CreateMessageResult>("sampling", InputRequest.Sample(request), cancellationToken);

    public ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken = default) =>
        AskOneAsync<ElicitResult>("elicitation", InputRequest.Elicit(request), cancellationToken);

    public ValueTask<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default) =>
        AskOneAsync<ListRootsResult>("roots", InputRequest.ListRoots(), cancellationToken);

    private async ValueTask<TResult> AskOneAsync<TResult>(string key, InputRequest request, CancellationToken cancellationToken)
    {
        var answers = await AskAsync(new Dictionary<string, InputRequest> { [key] = request }, State, cancellationToken);
        return answers[key].Deserialize<TResult>(McpJsonUtilities.DefaultOptions)
            ?? throw new McpProtocolException($"The client answered '{request.Method}' with no result.", McpErrorCode.InvalidParams);
    }

    private void EnsureDeclared(string method)
    {
        var (capability, declared) = ClientRequests.CapabilityOf(method, context.ClientCapabilities);
        if (capability is null)
        {
            throw new ArgumentException($"'{method}' is not something a server can ask a client.", nameof(method));
        }

        if (!declared || (context.Outbound is null && context.Task is null))
        {
            var error = new McpProtocolException($"This request needs the client capability '{capability}', which the client did not declare.", McpErrorCode.MissingRequiredClientCapability);
            error.Data["requiredCapabilities"] = capability;
            throw error;
        }
    }
}

/// <summary>The requests a server may send a client, and the client capability each needs.</summary>
public static class ClientRequests
{
    /// <summary>
    /// The capability <paramref name="method"/> needs (<c>sampling</c>, <c>elicitation</c>, <c>roots</c>) and whether
    /// <paramref name="client"/> declared it; a null capability for a method a server cannot ask.
    /// </summary>
    public static (string? Capability, bool Declared) CapabilityOf(string method, ClientCapabilities? client) => method switch
    {
        RequestMethods.SamplingCreateMessage => ("sampling", client?.Sampling is not null),
        RequestMethods.ElicitationCreate => ("elicitation", client?.Elicitation is not null),
        RequestMethods.RootsList => ("roots", client?.Roots is not null),
        _ => (null, false),
    };
}
