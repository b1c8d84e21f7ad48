using McpCqrs.Mcp.Catalog;
using Mediator;
using ModelContextProtocol;

namespace McpCqrs.Mcp.Methods;

/// <summary>
/// The one place where the request bound to a tool, a resource or a prompt is sent (through its invoker, else the
/// mediator), under the dispatch timeout: at the timeout the handler's token is cancelled and the call ends with a
/// <see cref="DispatchTimeoutException"/>. A cancellation from outside (the client's <c>notifications/cancelled</c>,
/// a closed connection, the host stopping) stays an <see cref="OperationCanceledException"/>, so it is reported as
/// a cancellation, never as a timeout. A handler that ignores its token is not abandoned: its scope (and its database
/// context) stays in use until it returns, so the call waits for it.
/// </summary>
public static class BoundRequests
{
    /// <summary>The timeout of <paramref name="binding"/>: its own, else <see cref="McpLimitsOptions.DispatchTimeout"/>.</summary>
    public static DispatchDeadline For(ToolBinding binding, IServiceProvider services) =>
        binding.Timeout is { } own
            ? new DispatchDeadline(own, $"the timeout of tool '{binding.Name}' (TimeoutSeconds)")
            : Default(services);

    /// <summary>The server's <see cref="McpLimitsOptions.DispatchTimeout"/> (resources, prompts, tools without their own).</summary>
    public static DispatchDeadline Default(IServiceProvider services) =>
        new(Limits(services).DispatchTimeout, $"{McpLimitsOptions.SectionName}:{nameof(McpLimitsOptions.DispatchTimeout)}");

    /// <summary>The host's <see cref="McpLimitsOptions"/>, or the defaults in a container that registers none.</summary>
    public static McpLimitsOptions Limits(IServiceProvider services) => services.GetService(typeof(McpLimitsOptions)) as McpLimitsOptions ?? Defaults;

    /// <summary>The token source of the call being served in <paramref name="services"/>, if its host made one.</summary>
    internal static Dispatch.CallCancellation? CancellationOf(IServiceProvider services) =>
        (services.GetService(typeof(Context.McpRequestContext)) as Context.McpRequestContext)?.Cancellation;

    /// <summary>
    /// Sends <paramref name="request"/> and returns its result. Null <paramref name="deadline"/>: no timeout (a task's
    /// run, which lives under its time to live instead).
    /// </summary>
    public static ValueTask<object?> SendAsync(
        ToolInvoker? invoker,
        object request,
        IServiceProvider services,
        ISender sender,
        DispatchDeadline? deadline,
        CancellationToken cancellationToken) =>
        SendAsync(invoker, request, services, sender, deadline, cancellationToken, owned: null);

    /// <summary>
    /// As the public overload; when <paramref name="owned"/> is the source of <paramref name="cancellationToken"/> (the
    /// call's own, made by its host) and no timeout is armed on it yet, the timeout is armed on it instead of on a
    /// second source linked to it. Pass it only where nothing after the handler uses the call's token: a source that
    /// timed out cannot be reset.
    /// </summary>
    internal static async ValueTask<object?> SendAsync(
        ToolInvoker? invoker,
        object request,
        IServiceProvider services,
        ISender sender,
        DispatchDeadline? deadline,
        CancellationToken cancellationToken,
        Dispatch.CallCancellation? owned)
    {
        if (deadline is not { } limit)
        {
            return await Send(invoker, request, services, sender, cancellationToken);
        }

        var clock = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var system = ReferenceEquals(clock, TimeProvider.System);
        if (system && owned is not null && owned.Token == cancellationToken && owned.TryArm(limit.Timeout))
        {
            // The call's own source times out itself; the timer stops when the handler returns. A source that timed
            // out stays cancelled, so the caller passes it only where the handler is the last to use the call's token.
            try
            {
                return await Send(invoker, request, services, sender, cancellationToken);
            }
            catch (OperationCanceledException ex) when (owned.TimedOut)
            {
                throw new DispatchTimeoutException(limit, ex);
            }
            finally
            {
                owned.Disarm();
            }
        }

        // Otherwise on the system clock one token source is linked to the caller's and times out itself; another clock
        // (a test's) drives a timer source of its own. Either way, cancelled while the caller's token is not means timed out.
        using var timer = system ? null : new CancellationTokenSource(limit.Timeout, clock);
        using var linked = timer is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        if (timer is null)
        {
            linked.CancelAfter(limit.Timeout);
        }

        try
        {
            return await Send(invoker, request, services, sender, linked.Token);
        }
        catch (OperationCanceledException ex) when (linked.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DispatchTimeoutException(limit, ex);
        }
    }

    private static ValueTask<object?> Send(ToolInvoker? invoker, object request, IServiceProvider services, ISender sender, CancellationToken cancellationToken) =>
        invoker is { } invoke ? invoke(services, request, cancellationToken) : sender.Send(request, cancellationToken);

    private static readonly McpLimitsOptions Defaults = new();
}

/// <summary>How long a dispatch may run, and the setting that says so (named in the error).</summary>
/// <param name="Timeout">The time after which the handler's token is cancelled.</param>
/// <param name="Setting">Where it is configured, e.g. <c>Mcp:Limits:DispatchTimeout</c>.</param>
public readonly record struct DispatchDeadline(TimeSpan Timeout, string Setting)
{
    /// <summary>The timeout in whole seconds, at least 1 (as the errors say it).</summary>
    public long Seconds => Math.Max(1, (long)Math.Round(Timeout.TotalSeconds));
}

/// <summary>
/// A tool, resource or prompt did not finish within its dispatch timeout and its handler was cancelled. Tools answer
/// it as a tool error (<see cref="ToolError.Timeout"/>); other methods as the JSON-RPC error <see cref="Code"/>
/// (<c>-32001</c>, "request timed out", the code the MCP TypeScript SDK gives a request that timed out) with
/// <c>data: { limit, max }</c> (the setting and its seconds), in both eras.
/// </summary>
public sealed class DispatchTimeoutException : McpProtocolException
{
    /// <summary>The JSON-RPC code of a request that ran out of time.</summary>
    public const int Code = -32001;

    public DispatchTimeoutException(DispatchDeadline deadline, Exception? inner = null)
        : base($"The request timed out after {deadline.Seconds} s ({deadline.Setting}) and was stopped.", inner, (McpErrorCode)Code)
    {
        Deadline = deadline;
        Data["limit"] = System.Text.Json.Nodes.JsonValue.Create(deadline.Setting);
        Data["max"] = System.Text.Json.Nodes.JsonValue.Create(deadline.Seconds);
    }

    public DispatchDeadline Deadline { get; }
}
