using System.Text.Json;
using FluentValidation;
using Mediator;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Mcp.Exceptions;

namespace McpCqrs.Mcp.Behaviors;

/// <summary>
/// Runs every FluentValidation validator registered for the request before its handler, for every caller
/// (REST, MCP, a job). All failures are reported together as a <see cref="RequestValidationException"/> whose
/// field names are camelCase paths, as callers write them in JSON.
/// </summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators, IMcpRequestContext? mcp = null)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private readonly IValidator<TMessage>[] _validators = validators as IValidator<TMessage>[] ?? [.. validators];

    public ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken) =>
        // A task's request was validated when the task was created.
        _validators.Length == 0 || AdmittedTask.Skips(mcp, message)
            ? next(message, cancellationToken)
            : BehaviorGate.Then(ValidateAsync(message, cancellationToken), message, next, cancellationToken);

    /// <summary>Completes at once when every validator does (no asynchronous rule), so the call goes on without a state machine kept.</summary>
    private async ValueTask ValidateAsync(TMessage message, CancellationToken cancellationToken)
    {
        List<FieldError>? errors = null;
        foreach (var validator in _validators)
        {
            if (validator is IValidatesSome<TMessage> some && !some.Validates(message))
            {
                continue;
            }

            // A context of its own: a validator's result lists every failure its context holds, so a shared one would
            // repeat the earlier validators' failures.
            var result = await validator.ValidateAsync(new ValidationContext<TMessage>(message), cancellationToken);
            foreach (var failure in result.Errors)
            {
                (errors ??= []).Add(new FieldError(ToJsonPath(failure.PropertyName), failure.ErrorMessage, failure.ErrorCode));
            }
        }

        if (errors is not null)
        {
            throw new RequestValidationException(typeof(TMessage).Name, errors);
        }
    }

    /// <summary><c>Tags[0]</c> → <c>tags[0]</c>, <c>Customer.Name</c> → <c>customer.name</c>.</summary>
    internal static string ToJsonPath(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}

/// <summary>
/// A validator that has nothing to check for some messages (an envelope whose carried request has no validators):
/// the behavior then makes no validation context for it.
/// </summary>
public interface IValidatesSome<in TMessage>
{
    bool Validates(TMessage message);
}
