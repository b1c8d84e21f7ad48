using FluentValidation;
using Mediator;
using McpCqrs.Mcp.Catalog;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Says hello to someone.</summary>
/// <param name="Name">Who to greet.</param>
public sealed record SayHello(string Name) : ICommand<Greeting>;

public sealed record Greeting(string Text, int Length);

/// <summary>Counts things.</summary>
public sealed record CountThings(int Limit = 10) : IQuery<int>;

public sealed record ListNames(string? Prefix = null) : ICommand<IReadOnlyList<string>>;

public sealed record RenderCard(string Title) : ICommand<ToolContent>;

/// <summary>Not a command and not a query.</summary>
public sealed record NotARequest(string Name);

/// <summary>Arguments whose rules hold only under conditions.</summary>
public sealed record Parcel(string? Note = null, int Weight = 0, string? Label = null, string? Code = null) : ICommand<int>;

public sealed class ParcelValidator : AbstractValidator<Parcel>
{
    public ParcelValidator()
    {
        RuleFor(x => x.Note).NotEmpty().MaximumLength(10).When(x => x.Weight > 0);
        When(x => x.Weight > 5, () => RuleFor(x => x.Label).NotNull().Length(2, 8));
        RuleFor(x => x.Code).NotEmpty().MaximumLength(4).When(x => x.Weight > 0, ApplyConditionTo.CurrentValidator);
        RuleFor(x => x.Weight).InclusiveBetween(1, 50);
    }
}

public sealed record Signup(string Email, int Age, double Score) : ICommand<int>;

public sealed class SignupValidator : AbstractValidator<Signup>
{
    public SignupValidator()
    {
        RuleFor(x => x.Email).EmailAddress();
        RuleFor(x => x.Age).ExclusiveBetween(0, 150);
        RuleFor(x => x.Score).LessThanOrEqualTo(1.5);
    }
}
