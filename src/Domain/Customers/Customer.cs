using McpCqrs.Domain.Common;

namespace McpCqrs.Domain.Customers;

/// <summary>Someone who raises support tickets.</summary>
public sealed class Customer
{
    public const int NameMaxLength = 200;
    public const int EmailMaxLength = 254;

    private Customer()
    {
        Name = string.Empty;
        Email = string.Empty;
    }

    public int Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Lower-case e-mail address; unique among customers.</summary>
    public string Email { get; private set; }

    public string? Company { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static Customer Create(string name, string email, string? company, DateTime now)
    {
        var normalizedEmail = Guard.Text(email, "email", EmailMaxLength).ToLowerInvariant();
        var at = normalizedEmail.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == normalizedEmail.Length - 1)
        {
            throw new InvalidDomainValueException("email", "'email' must be an e-mail address.");
        }

        return new Customer
        {
            Name = Guard.Text(name, "name", NameMaxLength),
            Email = normalizedEmail,
            Company = Guard.OptionalText(company, "company", NameMaxLength),
            CreatedAt = Guard.Utc(now, "createdAt"),
        };
    }
}
