using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Application.Customers.Queries.SuggestCustomers;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Tickets;
using McpCqrs.Application.Common;

namespace McpCqrs.Application.Customers.Queries.GetCustomer;

/// <summary>Reads one customer with the number of their tickets that are not closed.</summary>
/// <param name="Id">The customer's id.</param>
[ScopeRequired("customers:read")]
[McpTool("get_customer", Title = "Read a customer")]
[McpIcon(DeskIcons.Customer, MimeType = DeskIcons.MimeType, Sizes = "any")]
[McpResource("customers://{id}", Name = "customer", Title = "A customer", MimeType = "application/json")]
public sealed record GetCustomer([property: McpCompletion(typeof(CustomerIdCompletion))] int Id) : IQuery<CustomerDto>;

public sealed class GetCustomerValidator : AbstractValidator<GetCustomer>
{
    public GetCustomerValidator() => RuleFor(x => x.Id).GreaterThan(0);
}

public sealed class GetCustomerHandler(IAppDbContext db) : IQueryHandler<GetCustomer, CustomerDto>
{
    public async ValueTask<CustomerDto> Handle(GetCustomer query, CancellationToken cancellationToken)
    {
        var customer = db.Customers
            .Where(c => c.Id == query.Id)
            .Select(c => new CustomerDto(
                c.Id,
                c.Name,
                c.Email,
                c.Company,
                c.CreatedAt,
                db.Tickets.Count(t => t.CustomerId == c.Id && t.Status != TicketStatus.Closed)));
        return await db.FirstOrDefaultAsync(customer, cancellationToken)
            ?? throw new EntityNotFoundException("Customer", query.Id);
    }
}
