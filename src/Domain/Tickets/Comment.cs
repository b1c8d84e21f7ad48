using McpCqrs.Domain.Common;

namespace McpCqrs.Domain.Tickets;

/// <summary>A message on a ticket's thread. Internal comments are for support staff only.</summary>
public sealed class Comment
{
    public const int AuthorMaxLength = 100;
    public const int BodyMaxLength = 10_000;

    private Comment()
    {
        Author = string.Empty;
        Body = string.Empty;
    }

    public int Id { get; private set; }

    public int TicketId { get; private set; }

    public string Author { get; private set; }

    public string Body { get; private set; }

    public bool IsInternal { get; private set; }

    public DateTime CreatedAt { get; private set; }

    internal static Comment Create(string author, string body, bool isInternal, DateTime now) => new()
    {
        Author = Guard.Text(author, "author", AuthorMaxLength),
        Body = Guard.Text(body, "body", BodyMaxLength),
        IsInternal = isInternal,
        CreatedAt = Guard.Utc(now, "createdAt"),
    };
}
