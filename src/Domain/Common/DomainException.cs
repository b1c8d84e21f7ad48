namespace McpCqrs.Domain.Common;

/// <summary>How a domain error should be understood by any caller (REST, MCP, a test).</summary>
public enum DomainErrorKind
{
    /// <summary>A value breaks an invariant of the model (a 400 / <c>validation_error</c>).</summary>
    Invalid,

    /// <summary>The thing asked for does not exist (a 404 / <c>not_found</c>).</summary>
    NotFound,

    /// <summary>The request is valid but the current state forbids it (a 409 / <c>conflict</c>).</summary>
    Conflict,
}

/// <summary>
/// Base of every error the domain raises. Each transport maps it exactly once: REST to RFC 7807
/// ProblemDetails, MCP to an <c>isError</c> tool result. <see cref="Code"/> is stable and machine-readable.
/// </summary>
public abstract class DomainException : Exception
{
    protected DomainException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A stable, dotted, lower-case code such as <c>ticket.closed</c>.</summary>
    public string Code { get; }

    public abstract DomainErrorKind Kind { get; }
}

/// <summary>An entity looked up by its key does not exist.</summary>
public sealed class EntityNotFoundException : DomainException
{
    public EntityNotFoundException(string entity, object key)
        : base($"{entity.ToLowerInvariant()}.not_found", $"{entity} '{key}' was not found.")
    {
        Entity = entity;
        Key = key.ToString() ?? string.Empty;
    }

    public string Entity { get; }

    public string Key { get; }

    public override DomainErrorKind Kind => DomainErrorKind.NotFound;
}

/// <summary>The current state of an aggregate forbids the operation (e.g. assigning a closed ticket).</summary>
public sealed class BusinessRuleViolationException(string code, string message) : DomainException(code, message)
{
    public override DomainErrorKind Kind => DomainErrorKind.Conflict;
}

/// <summary>A value handed to the model breaks one of its invariants.</summary>
public sealed class InvalidDomainValueException : DomainException
{
    public InvalidDomainValueException(string field, string message)
        : base("value.invalid", message)
    {
        Field = field;
    }

    /// <summary>The name of the offending value, as the caller knows it (camelCase).</summary>
    public string Field { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Invalid;
}
