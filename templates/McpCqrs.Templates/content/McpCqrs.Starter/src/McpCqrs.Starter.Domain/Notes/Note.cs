namespace McpCqrs.Starter.Domain.Notes;

/// <summary>A note: the domain's one entity. Replace it with yours.</summary>
public sealed class Note
{
    public const int TitleMaxLength = 200;
    public const int BodyMaxLength = 4000;

    private Note()
    {
    }

    public int Id { get; private set; }

    public string Title { get; private set; } = string.Empty;

    public string? Body { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static Note Create(string title, string? body, DateTime now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return new Note { Title = title.Trim(), Body = body, CreatedAt = now.ToUniversalTime() };
    }
}
