using McpCqrs.Mcp;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>
/// The <c>initialize</c> answer's JSON is cached per <c>serverInfo</c> instance: the instance must stay the same while
/// the settings do, and must change with them (else a changed title would be answered from the old JSON).
/// </summary>
public sealed class McpServerInfoTests
{
    [Fact]
    public void Implementation_is_one_instance_while_the_settings_stay()
    {
        var info = new McpServerInfo { Name = "desk", Title = "Desk", Version = "1.2.3" };

        Assert.Same(info.Implementation(), info.Implementation());
        Assert.Equal(("desk", "Desk", "1.2.3"), (info.Implementation().Name, info.Implementation().Title, info.Implementation().Version));
    }

    [Fact]
    public void Implementation_follows_a_changed_setting()
    {
        var info = new McpServerInfo { Name = "desk", Title = "Desk", Version = "1.2.3" };
        var before = info.Implementation();

        info.Title = "Help desk";

        Assert.NotSame(before, info.Implementation());
        Assert.Equal("Help desk", info.Implementation().Title);
    }
}
