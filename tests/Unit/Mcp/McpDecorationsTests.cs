using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Application.Common;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Application.Tickets.Queries.GetTicket;
using ModelContextProtocol.Protocol;
using McpCqrs.Web.Apps;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Icons and <c>_meta</c> of tools, resources, templates and prompts, and the server's icons.</summary>
public sealed class McpDecorationsTests
{
    private static McpCatalog Catalog(ToolRegistration[]? tools = null, ResourceRegistration[]? resources = null, PromptRegistration[]? prompts = null) =>
        new(tools ?? [], resources ?? [], prompts ?? [], _ => []);

    [Fact]
    public void Icon_and_meta_attributes_are_read_from_the_request_type()
    {
        var icons = McpDecorations.IconsOf(typeof(DecoratedQuery))!;
        var meta = McpDecorations.MetaOf(typeof(DecoratedQuery))!;

        Assert.Equal(["https://example.com/a.png", DeskIcons.Ticket], icons.Select(i => i.Source));
        Assert.Equal(["48x48", "96x96"], icons[0].Sizes!);
        Assert.Equal(("image/png", "light"), (icons[0].MimeType, icons[0].Theme));
        Assert.Equal("ui://desk/board", meta["ui"]?["resourceUri"]?.GetValue<string>());
        Assert.Equal("dark", meta["com.example/theme"]?.GetValue<string>());
        Assert.Null(McpDecorations.IconsOf(typeof(PlainQuery)));
        Assert.Null(McpDecorations.MetaOf(typeof(PlainQuery)));
    }

    [Fact]
    public void Every_kind_of_binding_lists_its_icons_and_meta()
    {
        IReadOnlyList<Icon> icons = [new Icon { Source = DeskIcons.Ticket, MimeType = DeskIcons.MimeType }];
        var meta = new JsonObject { ["com.example/x"] = 1 };
        var catalog = Catalog(
            [new ToolRegistration(typeof(DecoratedQuery), "tool", Icons: icons, Meta: meta)],
            [new ResourceRegistration(typeof(DecoratedQuery), "desk://fixed", Icons: icons, Meta: meta), new ResourceRegistration(typeof(TemplatedQuery), "desk://{id}", Icons: icons, Meta: meta)],
            [new PromptRegistration(typeof(DecoratedQuery), "prompt", Icons: icons, Meta: meta)]);

        var tool = catalog.Tools.Single().Tool;
        var resource = catalog.Resources.Single(r => r.Resource is not null).Resource!;
        var template = catalog.Resources.Single(r => r.Template is not null).Template!;
        var prompt = catalog.Prompts.Single().Prompt;
        Assert.All(new[] { tool.Icons, resource.Icons, template.Icons, prompt.Icons }, i => Assert.Equal(DeskIcons.Ticket, Assert.Single(i!).Source));
        Assert.All(new[] { tool.Meta, resource.Meta, template.Meta, prompt.Meta }, m => Assert.Equal(1, m!["com.example/x"]!.GetValue<int>()));
    }

    [Fact]
    public void The_sample_marks_its_selector_resource_template_and_prompt_with_icons()
    {
        var builder = new McpCatalogBuilder().AddTicketBoard().AddFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        var catalog = new McpCatalog(builder.Tools, builder.Resources, builder.Prompts, _ => []);

        Assert.True(catalog.TryGetTool("list_tickets", out var selector));
        Assert.True(catalog.TryGetPrompt("triage_ticket", out var prompt));
        var template = catalog.Resources.Single(r => r.RequestType == typeof(GetTicket)).Template!;
        Assert.All(new[] { selector.Tool.Icons, prompt.Prompt.Icons, template.Icons }, i => Assert.Equal(DeskIcons.Ticket, Assert.Single(i!).Source));
    }

    [Theory]
    [InlineData("http://example.com/a.png", null, "is not an https: URL or a data: URI")]
    [InlineData("javascript:alert(1)", null, "is not an https: URL or a data: URI")]
    [InlineData("icons/a.png", null, "is not an https: URL or a data: URI")]
    [InlineData("https://example.com/a.png", "blue", "icon theme 'blue' is neither 'light' nor 'dark'")]
    public void An_icon_a_client_must_not_load_stops_the_start_naming_the_binding(string source, string? theme, string message)
    {
        var registration = new ToolRegistration(typeof(DecoratedQuery), "tool", Icons: [new Icon { Source = source, Theme = theme }]);

        var error = Assert.Throws<InvalidOperationException>(() => Catalog([registration]));

        Assert.Contains("MCP tool 'tool'", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("io.modelcontextprotocol/ui")]
    [InlineData("dev.mcp/x")]
    [InlineData(" ")]
    public void A_meta_key_mcp_reserves_stops_the_start(string key)
    {
        var registration = new PromptRegistration(typeof(DecoratedQuery), "prompt", Meta: new JsonObject { [key] = true });

        var error = Assert.Throws<InvalidOperationException>(() => Catalog(prompts: [registration]));

        Assert.Contains($"MCP prompt 'prompt' of {typeof(DecoratedQuery).FullName}: _meta key '{key}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Meta_that_is_not_json_or_names_a_key_twice_is_refused_naming_the_type()
    {
        var notJson = Assert.Throws<InvalidOperationException>(() => McpDecorations.MetaOf(typeof(NotJsonMetaQuery)));
        var twice = Assert.Throws<InvalidOperationException>(() => McpDecorations.MetaOf(typeof(TwiceMetaQuery)));

        Assert.Contains($"[McpMeta(\"theme\", ...)] on {typeof(NotJsonMetaQuery).FullName} is not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Contains("is given twice", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_servers_icons_and_website_are_in_its_implementation_and_checked()
    {
        var info = new McpServerInfo { Icons = [new McpServerIcon { Source = DeskIcons.Desk, MimeType = DeskIcons.MimeType, Sizes = ["any"] }], WebsiteUrl = new Uri("https://desk.example.com/") };
        var before = info.Implementation();

        Assert.Equal(DeskIcons.Desk, Assert.Single(before.Icons!).Source);
        Assert.Equal("https://desk.example.com/", before.WebsiteUrl);
        Assert.Empty(info.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(info)));

        info.Icons.Add(new McpServerIcon { Source = "ftp://example.com/x.png" });
        Assert.Equal(2, info.Implementation().Icons!.Count);
        var problem = Assert.Single(info.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(info)));
        Assert.Contains("Mcp:Server:Icons: icon 'ftp://example.com/x.png' is not an https: URL or a data: URI", problem.ErrorMessage, StringComparison.Ordinal);
    }
}

/// <summary>A query with icons and _meta.</summary>
[McpIcon("https://example.com/a.png", MimeType = "image/png", Sizes = "48x48 96x96", Theme = "light")]
[McpIcon(DeskIcons.Ticket)]
[McpMeta("ui", """{"resourceUri":"ui://desk/board"}""")]
[McpMeta("com.example/theme", "\"dark\"")]
public sealed record DecoratedQuery : IQuery<string>;

/// <summary>A query without either.</summary>
public sealed record PlainQuery : IQuery<string>;

/// <summary>A query with a template variable.</summary>
public sealed record TemplatedQuery(int Id) : IQuery<string>;

[McpMeta("theme", "dark")]
public sealed record NotJsonMetaQuery : IQuery<string>;

[McpMeta("a", "1")]
[McpMeta("a", "2")]
public sealed record TwiceMetaQuery : IQuery<string>;
