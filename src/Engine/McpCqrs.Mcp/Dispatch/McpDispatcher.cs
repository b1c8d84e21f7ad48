using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using InputRequiredException = McpCqrs.Mcp.Context.InputRequiredException;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// The one path every request of both eras takes: the call's context is filled, the method's request is made from
/// its params and sent through the mediator, and the result — or the error — is answered as the call's era says
/// (<see cref="Eras.McpEraPolicy"/>). The host only admits the request (through the policy) and writes the reply.
/// </summary>
internal sealed partial class McpDispatcher(McpCatalog catalog, ILogger<McpDispatcher> logger)
{
    /// <param name="call">The admitted request.</param>
    /// <param name="outbound">Where messages to the client go while the request runs (the host's response stream).</param>
    /// <param name="services">The request's scope.</param>
    /// <param name="cancellation">The call's own token source, cancelled when the request is (by the client, its session's end, a closed connection or the host stopping); the dispatch timeout is armed on it.</param>
    public ValueTask<McpReply> DispatchAsync(McpCall call, IMcpOutbound? outbound, IServiceProvider services, CallCancellation cancellation) =>
        DispatchAsync(call, outbound, services, cancellation.Token, cancellation);

    /// <param name="call">The admitted request.</param>
    /// <param name="outbound">Where messages to the client go while the request runs (the host's response stream).</param>
    /// <param name="services">The request's scope.</param>
    /// <param name="cancellationToken">Cancelled when the request is (by the client, its session's end, or the host stopping); with
    /// <paramref name="cancellation"/>, also when the handler's dispatch timeout fires (the handler's error then says so).</param>
    /// <param name="cancellation">The source of <paramref name="cancellationToken"/> when the caller owns one for this call alone.</param>
    public async ValueTask<McpReply> DispatchAsync(McpCall call, IMcpOutbound? outbound, IServiceProvider services, CancellationToken cancellationToken, CallCancellation? cancellation = null)
    {
        var context = services.GetRequiredService<McpRequestContext>();
        call.Fill(context, outbound);
        context.Cancellation = cancellation;
        var policy = call.Policy;
        using var operation = new McpOperation(catalog, call.Method, call.Id, call.Params, call.SessionId, call.ProtocolVersion);
        var admitted = false;
        try
        {
            var message = call.Rule.Create(call.Params);
            await policy.BeforeAsync(call, message, context, services, cancellationToken);
            await EnforceMethodLimitAsync(call.Rule, services, cancellationToken);

            admitted = true;
            context.Dispatched = true;
            var result = await call.Rule.Handle!(services, message, cancellationToken);
            operation.Succeeded(result);
            if (context.Rendered is { } rendered)
            {
                using (rendered)
                {
                    return await policy.ResultAsync(call, rendered, context, services, cancellationToken);
                }
            }

            return await policy.ResultAsync(call, result, context, services, cancellationToken);
        }
        catch (InputRequiredException ex) when (call.Rule.MayRequireInput && policy.InputRequired(call, ex, services) is { } ask)
        {
            operation.Succeeded(null);
            return JsonRpcWire.Reply(call.Id, ask);
        }
        catch (McpProtocolException ex)
        {
            var (status, code, data) = policy.ProtocolError(call, ex);
            operation.Failed(code, ex.Message);
            return new McpReply(status, JsonRpcWire.Error(call.Id, code, ex.Message, data));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            operation.Failed(McpErrors.RequestCancelled, "cancelled");
            return policy.Cancelled(call);
        }
        catch (Exception ex) when (McpErrors.Known(call.Id, ex, operation) is { } known)
        {
            if (ex is SessionStoreUnavailableException)
            {
                LogStoreUnavailable(logger, ex.InnerException ?? ex);
            }

            if (admitted && ex is RateLimitExceededException or RateLimitUnavailableException)
            {
                await policy.RefusedAsync(call, services);
            }

            return known;
        }
        catch (Exception ex)
        {
            LogMethodFailed(logger, ex, call.Method, call.SessionId ?? "(stateless)");
            operation.Failed((int)McpErrorCode.InternalError, ex.GetType().FullName ?? "internal error");
            return McpReply.Ok(JsonRpcWire.Error(call.Id, (int)McpErrorCode.InternalError, "Internal error."));
        }
    }

    /// <summary>
    /// The method's own rate limit (<see cref="Methods.McpMethodRule.RateLimitBinding"/>), per caller, like a tool's:
    /// <c>subscriptions/listen</c> or <c>tools/list</c> can be limited in configuration without touching code.
    /// <c>initialize</c> has its own limit, the rate of new sessions.
    /// </summary>
    private static ValueTask EnforceMethodLimitAsync(Methods.McpMethodRule rule, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (rule.Name == ModelContextProtocol.Protocol.RequestMethods.Initialize
            || services.GetService<IRateLimitService>() is not { } limits
            || !limits.IsLimited(rule.RateLimitBinding)
            || services.GetService<IRateLimitPartitioner>() is not { } partitioner)
        {
            return ValueTask.CompletedTask;
        }

        return limits.EnforceForAsync(rule.RateLimitBinding, partitioner, services.GetRequiredService<Security.ICurrentUser>(), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "MCP method {Method} failed in session {SessionId}")]
    private static partial void LogMethodFailed(ILogger logger, Exception exception, string method, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "An MCP store is unavailable; answering 503")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
