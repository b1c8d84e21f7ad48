using System.Diagnostics;
using FluentValidation;
using Mediator;
using McpCqrs.Mcp.Behaviors;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Domain.Common;

namespace McpCqrs.Tests.Unit.Pipeline;

public sealed record Greet(string Name, int Times) : ICommand<string>;

public sealed class GreetValidator : AbstractValidator<Greet>
{
    public GreetValidator()
    {
        RuleFor(x => x.Name).NotEmpty();
        RuleFor(x => x.Times).InclusiveBetween(1, 3);
    }
}

public sealed class GreetTimesValidator : AbstractValidator<Greet>
{
    public const string Message = "Greet at most five times.";

    public GreetTimesValidator() => RuleFor(x => x.Times).LessThanOrEqualTo(5).WithMessage(Message);
}

/// <summary>A rule that must run asynchronously (a lookup elsewhere, say).</summary>
public sealed class GreetAsyncValidator : AbstractValidator<Greet>
{
    public GreetAsyncValidator() =>
        RuleFor(x => x.Name).MustAsync(async (name, ct) =>
        {
            await Task.Yield();
            return name != "taken";
        });
}

/// <summary>Each behavior on its own, with a hand-made <c>next</c>.</summary>
public sealed class BehaviorTests
{
    private int _calls;

    private ValueTask<string> Next(Greet message, CancellationToken cancellationToken)
    {
        _calls++;
        return ValueTask.FromResult($"hello {message.Name}");
    }

    [Fact]
    public async Task Validation_stops_an_invalid_message_before_the_handler_with_every_field_error()
    {
        var behavior = new ValidationBehavior<Greet, string>([new GreetValidator()]);

        var error = await Assert.ThrowsAsync<RequestValidationException>(async () =>
            await behavior.Handle(new Greet("", 9), Next, default));

        Assert.Equal(0, _calls);
        Assert.Equal(["name", "times"], error.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Equal(nameof(Greet), error.RequestName);
    }

    [Fact]
    public async Task Validation_reports_each_validators_errors_once_when_there_are_several()
    {
        var behavior = new ValidationBehavior<Greet, string>([new GreetValidator(), new GreetTimesValidator()]);

        var error = await Assert.ThrowsAsync<RequestValidationException>(async () =>
            await behavior.Handle(new Greet("", 9), Next, default));

        // name and times from the first, times (its own rule) from the second: three in all, none repeated.
        Assert.Equal(3, error.Errors.Count);
        Assert.Single(error.Errors, e => e.Field == "name");
        Assert.Single(error.Errors, e => e.Message == GreetTimesValidator.Message);
    }

    [Fact]
    public async Task Validation_with_an_async_rule_runs_it()
    {
        var behavior = new ValidationBehavior<Greet, string>([new GreetAsyncValidator()]);

        var error = await Assert.ThrowsAsync<RequestValidationException>(async () =>
            await behavior.Handle(new Greet("taken", 1), Next, default));

        Assert.Equal("name", Assert.Single(error.Errors).Field);
        Assert.Equal("hello free", await behavior.Handle(new Greet("free", 1), Next, default));
    }

    [Fact]
    public async Task Validation_lets_a_valid_message_through()
    {
        var behavior = new ValidationBehavior<Greet, string>([new GreetValidator()]);

        Assert.Equal("hello ada", await behavior.Handle(new Greet("ada", 1), Next, default));
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task Validation_without_validators_calls_the_handler()
    {
        var behavior = new ValidationBehavior<Greet, string>([]);

        Assert.Equal("hello x", await behavior.Handle(new Greet("x", 0), Next, default));
    }

    [Theory]
    [InlineData("Tags[0]", "tags[0]")]
    [InlineData("Customer.Name", "customer.name")]
    [InlineData("Title", "title")]
    public void Field_paths_are_camel_cased(string property, string expected) =>
        Assert.Equal(expected, ValidationBehavior<Greet, string>.ToJsonPath(property));

    [Fact]
    public async Task Tracing_opens_a_span_named_after_the_request()
    {
        using var capture = new SpanCapture();
        var behavior = new TracingBehavior<Greet, string>();

        await behavior.Handle(new Greet("ada", 1), Next, default);

        var span = Assert.Single(capture.Spans);
        Assert.Equal(nameof(Greet), span.DisplayName);
        Assert.Equal("command", span.GetTagItem("mcpcqrs.request.kind"));
        Assert.Equal(ActivityStatusCode.Ok, span.Status);
    }

    [Fact]
    public async Task Tracing_marks_a_failed_request_with_its_error_type()
    {
        using var capture = new SpanCapture();
        var behavior = new TracingBehavior<Greet, string>();

        await Assert.ThrowsAsync<BusinessRuleViolationException>(async () => await behavior.Handle(
            new Greet("ada", 1),
            (_, _) => throw new BusinessRuleViolationException("ticket.closed", "closed"),
            default));

        var span = Assert.Single(capture.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("ticket.closed", span.GetTagItem("error.type"));
    }
}

/// <summary>
/// Records the spans of <see cref="ApplicationTelemetry.Source"/> that belong to the test's own trace, so tests
/// running in parallel do not see each other's spans.
/// </summary>
internal sealed class SpanCapture : IDisposable
{
    private static readonly ActivitySource TestSource = new("McpCqrs.Tests");
    private readonly ActivityListener _listener;
    private readonly Activity _root;
    private readonly List<Activity> _spans = [];

    public SpanCapture()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is ApplicationTelemetry.SourceName or "McpCqrs.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == ApplicationTelemetry.SourceName && a.TraceId == _root!.TraceId)
                {
                    lock (_spans)
                    {
                        _spans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _root = TestSource.StartActivity("test")!;
    }

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public void Dispose()
    {
        _root.Dispose();
        _listener.Dispose();
    }
}
