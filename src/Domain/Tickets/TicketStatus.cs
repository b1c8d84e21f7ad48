namespace McpCqrs.Domain.Tickets;

/// <summary>Where a ticket is in its life.</summary>
public enum TicketStatus
{
    Open,
    InProgress,
    WaitingOnCustomer,
    Resolved,
    Closed,
}
