using McpCqrs.Mcp.Dispatch;
using FluentValidation;
using FluentValidation.Results;
using McpCqrs.Mcp.Catalog;
using Mediator;

namespace McpCqrs.Mcp.External;

/// <summary>Runs a request whose type the source-generated mediator was not compiled with.</summary>
public delegate ValueTask<object?> ExternalHandler(IServiceProvider services, object request, CancellationToken cancellationToken);

/// <summary>
/// The envelope that carries a request of another assembly (a plug-in's, a test fixture's) through the same
/// mediator pipeline as every compiled request: tracing, authorization, rate limits and validation wrap it, and
/// its own validators run (see <see cref="ExternalRequestValidator"/>). The source generator only knows the
/// request types it was compiled with; this is how the others get the same treatment.
/// </summary>
public sealed record ExternalRequest(object Request, ExternalHandler Handler) : ICommand<object?>;

/// <summary>The read-only twin of <see cref="ExternalRequest"/>, for queries (resources, prompts, selectors).</summary>
public sealed record ExternalQuery(object Request, ExternalHandler Handler) : IQuery<object?>;

public sealed class ExternalRequestHandler(IServiceProvider services)
    : ICommandHandler<ExternalRequest, object?>, IQueryHandler<ExternalQuery, object?>
{
    public ValueTask<object?> Handle(ExternalRequest command, CancellationToken cancellationToken) =>
        command.Handler(services, command.Request, cancellationToken);

    public ValueTask<object?> Handle(ExternalQuery query, CancellationToken cancellationToken) =>
        query.Handler(services, query.Request, cancellationToken);
}

/// <summary>Runs the validators registered for the carried request's own type.</summary>
public sealed class ExternalRequestValidator(IServiceProvider services) : CarriedRequestValidator<ExternalRequest>(services)
{
    protected override object Carried(ExternalRequest envelope) => envelope.Request;
}

/// <summary>Runs the validators registered for the carried query's own type.</summary>
public sealed class ExternalQueryValidator(IServiceProvider services) : CarriedRequestValidator<ExternalQuery>(services)
{
    protected override object Carried(ExternalQuery envelope) => envelope.Request;
}

/// <summary>
/// Validates an envelope by running, in the caller's scope, every validator registered for the request it
/// carries; their failures are reported unchanged. It implements <see cref="IValidator{T}"/> directly rather
/// than deriving from <see cref="AbstractValidator{T}"/>: it has no rules of its own, and an
/// <c>AbstractValidator</c> builds its rules in its constructor, for every instance, on every call.
/// </summary>
public abstract class CarriedRequestValidator<TEnvelope>(IServiceProvider services) : IValidator<TEnvelope>, Behaviors.IValidatesSome<TEnvelope>
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type> ValidatorTypes = new();

    private Known? _last;

    /// <summary>The request inside the envelope.</summary>
    protected abstract object Carried(TEnvelope envelope);

    /// <summary>Whether the carried request has validators at all.</summary>
    public bool Validates(TEnvelope envelope) => ValidatorsOf(Carried(envelope)).Length > 0;

    public ValidationResult Validate(TEnvelope instance)
    {
        var request = Carried(instance);
        var failures = new List<ValidationFailure>();
        foreach (var validator in ValidatorsOf(request))
        {
            failures.AddRange(validator.Validate(new ValidationContext<object>(request)).Errors);
        }

        return new ValidationResult(failures);
    }

    public Task<ValidationResult> ValidateAsync(TEnvelope instance, CancellationToken cancellation = default)
    {
        var request = Carried(instance);
        var validators = ValidatorsOf(request);
        return validators.Length == 0 ? Task.FromResult(new ValidationResult()) : ValidateAsync(request, validators, cancellation);
    }

    private static async Task<ValidationResult> ValidateAsync(object request, IValidator[] validators, CancellationToken cancellation)
    {
        var failures = new List<ValidationFailure>();
        foreach (var validator in validators)
        {
            failures.AddRange((await validator.ValidateAsync(new ValidationContext<object>(request), cancellation)).Errors);
        }

        return new ValidationResult(failures);
    }

    public ValidationResult Validate(IValidationContext context) => Validate(EnvelopeOf(context));

    public Task<ValidationResult> ValidateAsync(IValidationContext context, CancellationToken cancellation = default) =>
        ValidateAsync(EnvelopeOf(context), cancellation);

    public IValidatorDescriptor CreateDescriptor() => new ValidatorDescriptor<TEnvelope>([]);

    public bool CanValidateInstancesOfType(Type type) => typeof(TEnvelope).IsAssignableFrom(type);

    /// <summary>
    /// The validators of the carried request (the container's array of <c>IValidator&lt;T&gt;</c>, read as
    /// <c>IValidator[]</c>). The last type's are remembered: the behavior asks <see cref="Validates"/> and then
    /// validates, and this validator serves one call.
    /// </summary>
    private IValidator[] ValidatorsOf(object request)
    {
        var type = request.GetType();
        if (_last is { } last && last.Type == type)
        {
            return last.Validators;
        }

        var validators = services.GetService(ValidatorTypes.GetOrAdd(type, static t => typeof(IEnumerable<>).MakeGenericType(typeof(IValidator<>).MakeGenericType(t)))) switch
        {
            IValidator[] array => array,
            IEnumerable<object?> some => [.. some.Cast<IValidator>()],
            _ => [],
        };
        if (validators.Length > 0)
        {
            // Only a type with validators is asked twice (the behavior skips one without any).
            _last = new Known(type, validators);
        }

        return validators;
    }

    /// <summary>A type's validators; one reference, so a request sent beside another in the same scope reads a whole pair.</summary>
    private sealed record Known(Type Type, IValidator[] Validators);

    private static TEnvelope EnvelopeOf(IValidationContext context) =>
        context.InstanceToValidate is TEnvelope envelope
            ? envelope
            : throw new ArgumentException($"{typeof(TEnvelope).Name} validates only {typeof(TEnvelope).Name} instances.", nameof(context));
}

/// <summary>Registers tools whose requests live outside the compiled mediator.</summary>
public static class ExternalTools
{
    /// <summary>
    /// Exposes <typeparamref name="TCommand"/>, handled by a DI-registered <c>ICommandHandler</c>, as a tool;
    /// calls go through the mediator inside an <see cref="ExternalRequest"/>.
    /// </summary>
    public static Catalog.McpCatalogBuilder AddExternalTool<TCommand, TResult>(
        this Catalog.McpCatalogBuilder builder,
        string name,
        Func<Catalog.ToolRegistration, Catalog.ToolRegistration>? configure = null)
        where TCommand : ICommand<TResult>
    {
        ExternalHandler handle = (services, request, cancellationToken) =>
            ((ICommandHandler<TCommand, TResult>?)services.GetService(typeof(ICommandHandler<TCommand, TResult>))
                ?? throw new InvalidOperationException($"No handler for {typeof(TCommand).FullName} is registered."))
            .Handle((TCommand)request, cancellationToken).AsObject();
        var registration = new Catalog.ToolRegistration(
            typeof(TCommand),
            name,
            Invoker: (services, request, cancellationToken) =>
                ((ISender)services.GetService(typeof(ISender))!).Send(new ExternalRequest(request, handle), cancellationToken));
        return builder.AddTool(configure is null ? registration : configure(registration));
    }

    /// <summary>Sends a query handled by a DI-registered <c>IQueryHandler</c> through the mediator in an <see cref="ExternalQuery"/>.</summary>
    public static ToolInvoker QueryInvoker<TQuery, TResult>()
        where TQuery : IQuery<TResult>
    {
        ExternalHandler handle = (services, request, cancellationToken) =>
            ((IQueryHandler<TQuery, TResult>?)services.GetService(typeof(IQueryHandler<TQuery, TResult>))
                ?? throw new InvalidOperationException($"No handler for {typeof(TQuery).FullName} is registered."))
            .Handle((TQuery)request, cancellationToken).AsObject();
        return (services, request, cancellationToken) =>
            ((ISender)services.GetService(typeof(ISender))!).Send(new ExternalQuery(request, handle), cancellationToken);
    }

    /// <summary>Exposes <typeparamref name="TQuery"/> (a DI-registered handler) as a resource or resource template.</summary>
    public static Catalog.McpCatalogBuilder AddExternalResource<TQuery, TResult>(
        this Catalog.McpCatalogBuilder builder,
        string uriTemplate,
        Func<Catalog.ResourceRegistration, Catalog.ResourceRegistration>? configure = null)
        where TQuery : IQuery<TResult>
    {
        var registration = new Catalog.ResourceRegistration(typeof(TQuery), uriTemplate, Invoker: QueryInvoker<TQuery, TResult>());
        return builder.AddResource(configure is null ? registration : configure(registration));
    }

    /// <summary>Exposes <typeparamref name="TQuery"/> (a DI-registered handler) as a prompt.</summary>
    public static Catalog.McpCatalogBuilder AddExternalPrompt<TQuery, TResult>(
        this Catalog.McpCatalogBuilder builder,
        string name,
        Func<Catalog.PromptRegistration, Catalog.PromptRegistration>? configure = null)
        where TQuery : IQuery<TResult>
    {
        var registration = new Catalog.PromptRegistration(typeof(TQuery), name, Invoker: QueryInvoker<TQuery, TResult>());
        return builder.AddPrompt(configure is null ? registration : configure(registration));
    }
}
