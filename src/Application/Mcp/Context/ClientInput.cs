using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Application.Mcp.Context;

/// <summary>
/// Lets a handler ask the client something while it runs: an LLM completion (sampling) or an answer from the
/// user (elicitation). Only available over MCP, to clients that declared the capability.
/// </summary>
public interface IClientInput
{
    bool CanSample { get; }

    bool CanElicit { get; }

    ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken = default);

    ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken = default);
}

internal sealed class McpClientInput(IMcpRequestContext context) : IClientInput
{
    public bool CanSample => context.Outbound is not null && context.ClientCapabilities?.Sampling is not null;

    public bool CanElicit => context.Outbound is not null && context.ClientCapabilities?.Elicitation is not null;

    public ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken = default) =>
        AskAsync<CreateMessageRequestParams, CreateMessageResult>(CanSample, RequestMethods.SamplingCreateMessage, request, cancellationToken);

    public ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken = default) =>
        AskAsync<ElicitRequestParams, ElicitResult>(CanElicit, RequestMethods.ElicitationCreate, request, cancellationToken);

    private async ValueTask<TResult> AskAsync<TParams, TResult>(bool capable, string method, TParams request, CancellationToken cancellationToken)
    {
        if (!capable)
        {
            throw new McpProtocolException($"The client did not declare the capability that '{method}' needs.", McpErrorCode.InvalidRequest);
        }

        var answer = await context.Outbound!.RequestAsync(
            method,
            JsonSerializer.SerializeToNode(request, McpJsonUtilities.DefaultOptions),
            cancellationToken);
        return answer.Deserialize<TResult>(McpJsonUtilities.DefaultOptions)
            ?? throw new McpProtocolException($"The client answered '{method}' with no result.", McpErrorCode.InternalError);
    }
}
