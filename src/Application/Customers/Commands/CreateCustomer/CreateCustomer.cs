using FluentValidation;
using Mediator;
using McpCqrs.Application.Common.Interfaces;
using McpCqrs.Mcp.Security;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Customers;
using McpCqrs.Mcp.Catalog;

namespace McpCqrs.Application.Customers.Commands.CreateCustomer;

/// <summary>Registers a customer. E-mail addresses are unique (case-insensitively).</summary>
/// <param name="Name">The customer's full name.</param>
/// <param name="Email">The customer's e-mail address.</param>
/// <param name="Company">The company the customer works for, if any.</param>
[ScopeRequired("customers:write")]
[McpTool("create_customer", Title = "Register a customer")]
public sealed record CreateCustomer(string Name, string Email, string? Company = null) : ICommand<CustomerDto>;

public sealed class CreateCustomerValidator : AbstractValidator<CreateCustomer>
{
    public CreateCustomerValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Customer.NameMaxLength);
        RuleFor(x => x.Email).NotEmpty().MaximumLength(Customer.EmailMaxLength).EmailAddress();
        RuleFor(x => x.Company).MaximumLength(Customer.NameMaxLength);
    }
}

public sealed class CreateCustomerHandler(IAppDbContext db, TimeProvider clock) : ICommandHandler<CreateCustomer, CustomerDto>
{
    public async ValueTask<CustomerDto> Handle(CreateCustomer command, CancellationToken cancellationToken)
    {
        var customer = Customer.Create(command.Name, command.Email, command.Company, clock.GetUtcNow().UtcDateTime);
        if (await db.AnyAsync(db.Customers.Where(c => c.Email == customer.Email), cancellationToken))
        {
            throw new BusinessRuleViolationException(
                "customer.email_taken",
                $"A customer with e-mail '{customer.Email}' already exists.");
        }

        db.Add(customer);
        await db.SaveChangesAsync(cancellationToken);
        return new CustomerDto(customer.Id, customer.Name, customer.Email, customer.Company, customer.CreatedAt, 0);
    }
}
