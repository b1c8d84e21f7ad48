using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public enum ItemState
{
    Open,
    InProgress,
    Resolved,
    Closed,
}

public sealed class ItemCustomer
{
    public required string Name { get; init; }
}

/// <summary>A test entity with one member of every kind the engine handles.</summary>
public sealed class Item
{
    public int Id { get; init; }

    public required string Title { get; init; }

    public int Priority { get; init; }

    public string? Note { get; init; }

    public ItemState State { get; init; }

    public DateTime CreatedAt { get; init; }

    public bool Active { get; init; }

    public Guid Key { get; init; }

    public ItemCustomer? Customer { get; init; }

    public List<string> Tags { get; init; } = [];

    public decimal Price { get; init; }

    public double? Score { get; init; }
}

internal static class QueryTestData
{
    public static readonly Guid Key4 = Guid.Parse("4a4a4a4a-0000-4000-8000-000000000004");

    public static readonly FieldMap<Item> Fields = new FieldMap<Item>()
        .Map("id", x => x.Id)
        .Map("title", x => x.Title, "The item's title.")
        .Map("priority", x => x.Priority)
        .Map("note", x => x.Note)
        .Map("state", x => x.State)
        .Map("createdAt", x => x.CreatedAt)
        .Map("active", x => x.Active)
        .Map("key", x => x.Key)
        .Map("customer.name", x => x.Customer!.Name)
        .Map("tags", x => x.Tags)
        .Map("price", x => x.Price)
        .Map("score", x => x.Score)
        .OrderByDefault("createdAt desc");

    public static IReadOnlyList<Item> Items { get; } =
    [
        new()
        {
            Id = 1, Title = "Printer on fire", Priority = 3, Note = null, State = ItemState.Open,
            CreatedAt = Utc(2026, 1, 1), Active = true, Key = Guid.Parse("1a1a1a1a-0000-4000-8000-000000000001"),
            Customer = new() { Name = "Ada Lovelace" }, Tags = ["billing", "hardware"], Price = 10.5m, Score = null,
        },
        new()
        {
            Id = 2, Title = "printer jam", Priority = 1, Note = "paper, stuck", State = ItemState.InProgress,
            CreatedAt = Utc(2026, 1, 2), Active = false, Key = Guid.Parse("2a2a2a2a-0000-4000-8000-000000000002"),
            Customer = new() { Name = "Grace Hopper" }, Tags = ["hardware"], Price = 99.99m, Score = 4.5,
        },
        new()
        {
            Id = 3, Title = "Login fails (SSO)", Priority = 2, Note = "", State = ItemState.Closed,
            CreatedAt = Utc(2026, 1, 3, 12, 30), Active = true, Key = Guid.Parse("3a3a3a3a-0000-4000-8000-000000000003"),
            Customer = null, Tags = [], Price = 0m, Score = 1.0,
        },
        new()
        {
            Id = 4, Title = "VPN | slow", Priority = 5, Note = @"back\slash", State = ItemState.Open,
            CreatedAt = Utc(2026, 2, 1), Active = false, Key = Key4,
            Customer = new() { Name = "Ada Byron" }, Tags = ["vpn", "Network"], Price = 5m, Score = 2.25,
        },
        new()
        {
            Id = 5, Title = "Reset password/i", Priority = 2, Note = "null", State = ItemState.Resolved,
            CreatedAt = new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc), Active = true, Key = Guid.Parse("5a5a5a5a-0000-4000-8000-000000000005"),
            Customer = new() { Name = "Alan Turing" }, Tags = ["billing"], Price = 20m, Score = null,
        },
        new()
        {
            Id = 6, Title = "Email bounce", Priority = 4, Note = "note", State = ItemState.InProgress,
            CreatedAt = Utc(2026, 1, 2, 8, 0), Active = true, Key = Guid.Parse("6a6a6a6a-0000-4000-8000-000000000006"),
            Customer = new() { Name = "Ada Lovelace" }, Tags = ["email"], Price = 1m, Score = 3,
        },
    ];

    public static IQueryable<Item> Query => Items.AsQueryable();

    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);
}
