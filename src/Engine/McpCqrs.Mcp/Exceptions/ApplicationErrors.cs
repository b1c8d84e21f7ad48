using System.Collections.Immutable;

namespace McpCqrs.Mcp.Exceptions;

/// <summary>How the engine should understand an application's error, whichever transport reports it.</summary>
public enum ApplicationErrorKind
{
    /// <summary>A value breaks a rule of the model: a tool's <c>validation_error</c>, a resource's or prompt's invalid params.</summary>
    Invalid,

    /// <summary>The thing asked for does not exist: a tool's <c>not_found</c>, a resource's "not found".</summary>
    NotFound,

    /// <summary>The request is valid but the current state forbids it: a tool's <c>conflict</c>.</summary>
    Conflict,

    /// <summary>Any other failure the application means the caller to see: a tool's <c>service_error</c>.</summary>
    Failed,
}

/// <summary>An error the caller may see: its kind, a stable machine-readable code, a message and the field it concerns.</summary>
public sealed record ApplicationError(ApplicationErrorKind Kind, string Code, string Message, string? Field = null);

/// <summary>An <see cref="ApplicationError"/> thrown by a handler that has no error types of its own.</summary>
public sealed class ApplicationErrorException(ApplicationError error) : Exception(error?.Message)
{
    public ApplicationError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}

/// <summary>
/// Which exceptions are the application's own errors (their message and code reach the caller) rather than
/// failures (which the caller sees only as an internal error). An application maps its error types once at start,
/// e.g. <c>ApplicationErrors.Map&lt;DomainException&gt;(e =&gt; new ApplicationError(...))</c>; the engine's own
/// <see cref="ApplicationErrorException"/> needs no mapping. Like FluentValidation's <c>ValidatorOptions.Global</c>,
/// the map is process-wide: the error types of an application are a fact of its code, not of one container.
/// </summary>
public static class ApplicationErrors
{
    private static ImmutableArray<(Type Type, Func<Exception, ApplicationError> Map)> _maps = [];

    /// <summary>Maps exceptions of <typeparamref name="TException"/> (and types derived from it); a second map of the same type replaces the first.</summary>
    public static void Map<TException>(Func<TException, ApplicationError> map)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(map);
        ImmutableInterlocked.Update(ref _maps, maps => maps.RemoveAll(m => m.Type == typeof(TException)).Add((typeof(TException), e => map((TException)e))));
    }

    /// <summary>The application error <paramref name="exception"/> stands for, or null when it is a failure.</summary>
    public static ApplicationError? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ApplicationErrorException own)
        {
            return own.Error;
        }

        foreach (var (type, map) in _maps)
        {
            if (type.IsInstanceOfType(exception))
            {
                return map(exception);
            }
        }

        return null;
    }
}
