using System.Globalization;
using McpCqrs.Domain.Common;
using McpCqrs.Domain.Customers;

namespace McpCqrs.Domain.Tickets;

/// <summary>
/// A support request raised by a customer. The aggregate root of its comments: every change to a
/// ticket goes through a method here, which enforces the rules (a closed ticket cannot be assigned,
/// commented on, or moved anywhere but back to <see cref="TicketStatus.Open"/>).
/// </summary>
public sealed class Ticket
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 10_000;
    public const int AssigneeMaxLength = 100;
    public const int MaxTags = 10;
    public const int TagMaxLength = 32;

    private readonly List<Comment> _comments = [];

    private Ticket()
    {
        Title = string.Empty;
        Tags = [];
    }

    public int Id { get; private set; }

    public int CustomerId { get; private set; }

    /// <summary>The customer who raised the ticket; for queries (it is not loaded when a ticket is changed).</summary>
    public Customer? Customer { get; private set; }

    public string Title { get; private set; }

    public string? Description { get; private set; }

    public TicketStatus Status { get; private set; }

    public TicketPriority Priority { get; private set; }

    /// <summary>The support agent working on the ticket, or <c>null</c> when unassigned.</summary>
    public string? Assignee { get; private set; }

    /// <summary>Lower-case, distinct labels (letters, digits and '-').</summary>
    public IReadOnlyList<string> Tags { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public DateTime? ClosedAt { get; private set; }

    public IReadOnlyList<Comment> Comments => _comments;

    public static Ticket Create(
        int customerId,
        string title,
        string? description,
        TicketPriority priority,
        IEnumerable<string>? tags,
        DateTime now)
    {
        Guard.Utc(now, "createdAt");
        return new Ticket
        {
            CustomerId = customerId > 0
                ? customerId
                : throw new InvalidDomainValueException("customerId", "'customerId' must be a customer's id."),
            Title = Guard.Text(title, "title", TitleMaxLength),
            Description = Guard.OptionalText(description, "description", DescriptionMaxLength),
            Status = TicketStatus.Open,
            Priority = Guard.Defined(priority, "priority"),
            Tags = NormalizeTags(tags ?? []),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Assigns the ticket to an agent, or unassigns it with <c>null</c>.</summary>
    public void AssignTo(string? assignee, DateTime now)
    {
        EnsureNotClosed("assigned");
        Assignee = Guard.OptionalText(assignee, "assignee", AssigneeMaxLength);
        Touch(now);
    }

    /// <summary>
    /// Moves the ticket to <paramref name="status"/>. Moving to the current status changes nothing.
    /// A closed ticket can only be reopened.
    /// </summary>
    public void ChangeStatus(TicketStatus status, DateTime now)
    {
        Guard.Defined(status, "status");
        if (status == Status)
        {
            return;
        }

        if (Status == TicketStatus.Closed && status != TicketStatus.Open)
        {
            throw new BusinessRuleViolationException(
                "ticket.closed",
                $"Ticket {Id} is closed; it can only be reopened (status 'Open'), not moved to '{status}'.");
        }

        Status = status;
        ClosedAt = status == TicketStatus.Closed ? now : null;
        Touch(now);
    }

    public void ChangePriority(TicketPriority priority, DateTime now)
    {
        EnsureNotClosed("reprioritized");
        Priority = Guard.Defined(priority, "priority");
        Touch(now);
    }

    public Comment AddComment(string author, string body, bool isInternal, DateTime now)
    {
        EnsureNotClosed("commented on");
        var comment = Comment.Create(author, body, isInternal, now);
        _comments.Add(comment);
        Touch(now);
        return comment;
    }

    private void EnsureNotClosed(string action)
    {
        if (Status == TicketStatus.Closed)
        {
            throw new BusinessRuleViolationException(
                "ticket.closed",
                $"Ticket {Id} is closed and cannot be {action}; reopen it first.");
        }
    }

    private void Touch(DateTime now) => UpdatedAt = Guard.Utc(now, "updatedAt");

    private static List<string> NormalizeTags(IEnumerable<string> tags)
    {
        var result = new List<string>();
        foreach (var raw in tags)
        {
            var tag = Guard.Text(raw, "tags", TagMaxLength).ToLowerInvariant();
            if (!tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                throw new InvalidDomainValueException(
                    "tags",
                    string.Create(CultureInfo.InvariantCulture, $"Tag '{tag}' may contain only letters, digits and '-'."));
            }

            if (!result.Contains(tag))
            {
                result.Add(tag);
            }
        }

        return result.Count <= MaxTags
            ? result
            : throw new InvalidDomainValueException("tags", $"A ticket has at most {MaxTags} tags.");
    }
}
