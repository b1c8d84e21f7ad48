using System.Diagnostics;
using Mediator;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp.External;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Outermost behavior: opens one span per request, named after the request type, and marks it as failed with
/// an <c>error.type</c> when the request throws. The request's content is never recorded (it may hold
/// personal data); only its type and kind are. Costs one branch when nothing listens.
/// </summary>
public sealed class TracingBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string SpanName = typeof(TMessage).Name;
    private static readonly string Kind = typeof(TMessage).GetInterfaces().Any(IsCommand) ? "command" : "query";

    public ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken) =>
        // No listener, no span: the next step is called directly, with no state machine of this behavior around it.
        ApplicationTelemetry.Source.HasListeners() ? TracedAsync(message, next, cancellationToken) : next(message, cancellationToken);

    private static async ValueTask<TResponse> TracedAsync(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        // A request carried in an envelope is traced under its own name.
        var requestType = message switch
        {
            ExternalRequest external => external.Request.GetType(),
            ExternalQuery external => external.Request.GetType(),
            _ => typeof(TMessage),
        };
        using var activity = ApplicationTelemetry.Source.StartActivity(
            requestType == typeof(TMessage) ? SpanName : requestType.Name,
            ActivityKind.Internal);
        if (activity is null)
        {
            return await next(message, cancellationToken);
        }

        activity.SetTag("mcpcqrs.request.type", requestType.FullName);
        activity.SetTag("mcpcqrs.request.kind", Kind);
        try
        {
            var response = await next(message, cancellationToken);
            activity.SetStatus(ActivityStatusCode.Ok);
            return response;
        }
        catch (Exception ex)
        {
            var error = ApplicationErrors.Classify(ex);
            activity.SetTag("error.type", ErrorType(ex, error));
            activity.SetStatus(ActivityStatusCode.Error, ex is RequestValidationException || error is not null ? ex.Message : null);
            throw;
        }
    }

    /// <summary>A low-cardinality error classification: the domain code when there is one, else the exception type.</summary>
    private static string ErrorType(Exception ex, ApplicationError? error) => ex switch
    {
        RequestValidationException => "validation_error",
        OperationCanceledException => "cancelled",
        _ => error?.Code ?? ex.GetType().FullName ?? ex.GetType().Name,
    };

    private static bool IsCommand(Type type) =>
        type == typeof(ICommand) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ICommand<>));
}
