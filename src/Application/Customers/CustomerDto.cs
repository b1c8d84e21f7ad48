namespace McpCqrs.Application.Customers;

/// <summary>A customer and how many of their tickets are not yet closed.</summary>
public sealed record CustomerDto(int Id, string Name, string Email, string? Company, DateTime CreatedAt, int OpenTickets);
