using McpCqrs.Querying;

namespace McpCqrs.Tests.Unit.Querying;

public sealed class PageWithTotalTests
{
    private static readonly IQueryable<int> Numbers = Enumerable.Range(1, 10).AsQueryable();

    [Fact]
    public void Each_row_carries_the_count_of_the_filtered_rows_not_of_the_page()
    {
        var even = Numbers.Where(n => n % 2 == 0);

        var rows = even.OrderBy(n => n).Page(2, 2).Select(n => $"#{n}").WithTotal(even).ToList();

        Assert.Equal([new Counted<string>("#6", 5), new Counted<string>("#8", 5)], rows);
        var page = rows.ToPage(2, 2);
        Assert.NotNull(page);
        Assert.Equal(["#6", "#8"], page.Items);
        Assert.Equal(5, page.TotalItems);
        Assert.Equal(3, page.TotalPages);
        Assert.True(page.HasNext);
    }

    [Fact]
    public void Without_rows_the_total_is_known_only_on_the_first_page()
    {
        var none = Numbers.Where(n => n > 100);
        var some = Numbers.Where(n => n > 5);

        var first = none.Page(1, 3).WithTotal(none).ToList().ToPage(1, 3);
        var pastTheEnd = some.Page(4, 3).WithTotal(some).ToList();

        Assert.NotNull(first);
        Assert.Equal(0, first.TotalItems);
        Assert.Empty(first.Items);
        Assert.Null(pastTheEnd.ToPage(4, 3));
        var counted = pastTheEnd.ToPage(4, 3, some.Count());
        Assert.Equal(5, counted.TotalItems);
        Assert.False(counted.HasNext);
    }
}
