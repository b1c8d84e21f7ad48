using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Mcp.Completion;

namespace McpCqrs.Application.Customers.Queries.SuggestCustomers;

/// <summary>Customer ids for a prefix of an id or of a name (case-insensitive), in id order.</summary>
/// <param name="Prefix">What was typed so far.</param>
/// <param name="Limit">At most this many ids.</param>
[ScopeRequired("customers:read")]
public sealed record SuggestCustomerIds(string Prefix, int Limit = 20) : IQuery<IReadOnlyList<string>>;

public sealed class SuggestCustomerIdsValidator : AbstractValidator<SuggestCustomerIds>
{
    public SuggestCustomerIdsValidator()
    {
        RuleFor(x => x.Prefix).MaximumLength(100);
        RuleFor(x => x.Limit).InclusiveBetween(1, 100);
    }
}

public sealed class SuggestCustomerIdsHandler(IAppDbContext db) : IQueryHandler<SuggestCustomerIds, IReadOnlyList<string>>
{
    public async ValueTask<IReadOnlyList<string>> Handle(SuggestCustomerIds query, CancellationToken cancellationToken)
    {
        var prefix = query.Prefix.Trim().ToLowerInvariant();
        var matches = db.Customers
            .Where(c => c.Id.ToString().StartsWith(prefix) || c.Name.ToLower().StartsWith(prefix))
            .OrderBy(c => c.Id)
            .Select(c => c.Id)
            .Take(query.Limit);
        return [.. (await db.ToListAsync(matches, cancellationToken)).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }
}

/// <summary>Completes customer ids (<c>customers://{id}</c>, prompts taking a customer) through <see cref="SuggestCustomerIds"/>.</summary>
public sealed class CustomerIdCompletion(ISender sender) : ICompletionSource
{
    public async ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        new(await sender.Send(new SuggestCustomerIds(request.Value), cancellationToken));
}
