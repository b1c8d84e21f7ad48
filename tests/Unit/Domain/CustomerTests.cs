using McpCqrs.Domain.Common;
using McpCqrs.Domain.Customers;

namespace McpCqrs.Tests.Unit.Domain;

public sealed class CustomerTests
{
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Email_is_stored_lower_case()
    {
        var customer = Customer.Create("Ada", " Ada@Example.COM ", null, Now);

        Assert.Equal("ada@example.com", customer.Email);
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("@example.com")]
    [InlineData("ada@")]
    public void A_malformed_email_is_an_invalid_value(string email)
    {
        var error = Assert.Throws<InvalidDomainValueException>(() => Customer.Create("Ada", email, null, Now));

        Assert.Equal("email", error.Field);
    }
}
