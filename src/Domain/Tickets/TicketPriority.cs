namespace McpCqrs.Domain.Tickets;

/// <summary>How urgent a ticket is, in increasing order (so ordering by priority is meaningful).</summary>
public enum TicketPriority
{
    Low,
    Normal,
    High,
    Urgent,
}
