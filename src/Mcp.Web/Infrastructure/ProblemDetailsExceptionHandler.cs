using System.Text.Json;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Querying;
using McpCqrs.Mcp.RateLimiting;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace McpCqrs.Web.Infrastructure;

/// <summary>
/// The REST side's single mapping of errors to RFC 7807 ProblemDetails: validation → 400 (with the field
/// errors), permission refused → 403 (with an <c>insufficient_scope</c> challenge), and the application errors
/// (<see cref="ApplicationErrors"/>: the domain's, the engine's): not found → 404, state conflict → 409, oversized body → 413, malformed body → 400. Anything
/// else is a 500 that says nothing about the internals. Every problem carries a machine-readable <c>code</c>.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem.Status >= StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (exception is ForbiddenAccessException forbidden)
        {
            httpContext.RequestServices.GetRequiredService<McpCqrs.Mcp.AspNetCore.Auth.ProtectedResource>().ChallengeForbidden(httpContext, forbidden);
        }

        if (exception is RateLimitExceededException limited)
        {
            httpContext.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails Map(Exception exception) => exception switch
    {
        RequestValidationException validation => Validation(ByField(validation.Errors), "One or more fields are invalid."),
        QuerySyntaxException syntax => Validation(new Dictionary<string, string[]> { [syntax.InputKind] = [syntax.Message] }, syntax.Message),
        _ when ApplicationErrors.Classify(exception) is { } error => error switch
        {
            { Kind: ApplicationErrorKind.Invalid, Field: { } field } => Validation(new Dictionary<string, string[]> { [field] = [error.Message] }, error.Message),
            { Kind: ApplicationErrorKind.NotFound } => Problem(StatusCodes.Status404NotFound, "Not found", error.Message, "not_found", error.Code),
            _ => Problem(StatusCodes.Status409Conflict, "Conflict", error.Message, "conflict", error.Code),
        },
        ForbiddenAccessException forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", forbidden.Message, "forbidden"),
        RateLimitExceededException limited => Problem(
            StatusCodes.Status429TooManyRequests,
            "Too many requests",
            $"The rate limit '{limited.Policy}' of '{limited.Binding}' is exhausted; retry after {limited.RetryAfterSeconds} s.",
            "rate_limited"),
        McpCqrs.Mcp.McpLimitExceededException limit => Problem(
            limit.IsRate ? StatusCodes.Status429TooManyRequests : StatusCodes.Status409Conflict,
            limit.IsRate ? "Too many requests" : "Limit reached",
            limit.Message,
            "limit_exceeded"),
        RateLimitUnavailableException => Problem(
            StatusCodes.Status503ServiceUnavailable,
            "Service unavailable",
            "Rate limits cannot be checked right now; try again shortly.",
            "unavailable"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problem(
            StatusCodes.Status413PayloadTooLarge,
            "Payload too large",
            "The request body is larger than this server accepts.",
            "payload_too_large"),
        BadHttpRequestException { InnerException: JsonException json } => Validation(
            ByField(JsonErrors.Describe(json)),
            "The request body does not fit this endpoint."),
        BadHttpRequestException bad => Problem(bad.StatusCode, "Bad request", bad.Message, "bad_request"),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal server error", "The server could not complete the request.", "internal_error"),
    };

    private static Dictionary<string, string[]> ByField(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    private static ProblemDetails Validation(IDictionary<string, string[]> errors, string detail)
    {
        var problem = new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Validation failed",
            Detail = detail,
        };
        problem.Extensions["code"] = "validation_error";
        return problem;
    }

    private static ProblemDetails Problem(int status, string title, string detail, string code, string? errorCode = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        if (errorCode is not null)
        {
            problem.Extensions["errorCode"] = errorCode;
        }

        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
