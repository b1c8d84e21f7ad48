using System.Text.Json;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Methods;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

public sealed class ListCursorTests
{
    private static readonly int[] Items = [0, 1, 2, 3, 4];

    [Fact]
    public void Pages_follow_each_other_until_nextCursor_is_null()
    {
        var (first, cursor1) = ListCursor.Page(Items, null, 2, "tools");
        var (second, cursor2) = ListCursor.Page(Items, cursor1, 2, "tools");
        var (third, cursor3) = ListCursor.Page(Items, cursor2, 2, "tools");

        Assert.Equal([0, 1], first);
        Assert.Equal([2, 3], second);
        Assert.Equal([4], third);
        Assert.NotNull(cursor1);
        Assert.NotNull(cursor2);
        Assert.Null(cursor3);
    }

    [Fact]
    public void A_list_that_fits_one_page_has_no_nextCursor()
    {
        var (page, next) = ListCursor.Page(Items, null, 5, "tools");

        Assert.Equal(Items, page);
        Assert.Null(next);
    }

    [Fact]
    public void A_cursor_of_another_list_is_invalid_params()
    {
        var promptsCursor = ListCursor.Encode(2, "prompts");

        var error = Assert.Throws<McpProtocolException>(() => ListCursor.Page(Items, promptsCursor, 2, "tools"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Theory]
    [InlineData("!!!")]
    [InlineData("not-a-cursor")]
    [InlineData("")]
    public void A_garbage_cursor_is_invalid_params(string cursor)
    {
        var error = Assert.Throws<McpProtocolException>(() => ListCursor.Page(Items, cursor, 2, "tools"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Fact]
    public void A_cursor_with_a_negative_position_is_invalid_params()
    {
        var cursor = Convert.ToBase64String("tools:-1"u8.ToArray()).TrimEnd('=');

        var error = Assert.Throws<McpProtocolException>(() => ListCursor.Page(Items, cursor, 2, "tools"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Fact]
    public void A_cursor_past_the_end_is_invalid_params()
    {
        var error = Assert.Throws<McpProtocolException>(() => ListCursor.Page(Items, ListCursor.Encode(6, "tools"), 2, "tools"));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }
}

public sealed class McpCallToolResultTests
{
    private static ToolBinding Binding(Type requestType)
    {
        var catalog = new McpCatalog([new ToolRegistration(requestType, "tool")], _ => []);
        Assert.True(catalog.TryGetTool("tool", out var binding));
        return binding;
    }

    [Fact]
    public void An_object_result_is_the_structured_content_and_its_text()
    {
        var result = McpCallToolHandler.ToResult(Binding(typeof(SayHello)), new Greeting("hi", 2));

        var structured = result.StructuredContent!.Value;
        Assert.Equal("hi", structured.GetProperty("text").GetString());
        Assert.Equal(2, structured.GetProperty("length").GetInt32());
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        Assert.Equal(structured.GetRawText(), text.Text);
        Assert.NotEqual(true, result.IsError);
    }

    [Fact]
    public void A_list_result_is_wrapped_as_result()
    {
        var result = McpCallToolHandler.ToResult(Binding(typeof(ListNames)), (IReadOnlyList<string>)["a", "b"]);

        var wrapped = result.StructuredContent!.Value.GetProperty("result");
        Assert.Equal(["a", "b"], wrapped.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(result.StructuredContent!.Value.GetRawText(), Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public void A_number_result_is_wrapped_as_result()
    {
        var result = McpCallToolHandler.ToResult(Binding(typeof(CountThings)), 3);

        Assert.Equal(3, result.StructuredContent!.Value.GetProperty("result").GetInt32());
    }

    [Fact]
    public void Content_blocks_returned_by_the_handler_go_out_as_they_are()
    {
        var card = new ToolContent([new TextContentBlock { Text = "a card" }]) { IsError = true };

        var result = McpCallToolHandler.ToResult(Binding(typeof(RenderCard)), card);

        Assert.Equal("a card", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.True(result.IsError);
        Assert.Null(result.StructuredContent);
    }
}

public sealed class McpInitializeTests
{
    private static async Task<InitializeResult> Initialize(string version, McpCatalogBuilder? registrations = null, ClientCapabilities? capabilities = null) =>
        await new McpInitializeHandler(new McpServerInfo(), registrations ?? new McpCatalogBuilder()).Handle(
            new McpInitialize(new InitializeRequestParams
            {
                ProtocolVersion = version,
                ClientInfo = new Implementation { Name = "test-client", Version = "1.0.0" },
                Capabilities = capabilities ?? new ClientCapabilities(),
            }),
            CancellationToken.None);

    private static ClientCapabilities TakesApps(string json) =>
        JsonSerializer.Deserialize<ClientCapabilities>("""{"extensions":{"io.modelcontextprotocol/ui":""" + json + "}}", McpJsonUtilities.DefaultOptions)!;

    [Theory]
    [InlineData(true, """{"mimeTypes":["text/html;profile=mcp-app"]}""", true)]
    [InlineData(true, "{}", true)]
    [InlineData(true, """{"mimeTypes":["text/html"]}""", false)]
    [InlineData(false, """{"mimeTypes":["text/html;profile=mcp-app"]}""", false)]
    public async Task The_apps_extension_is_offered_to_a_client_that_declares_it_when_views_are_served(bool views, string declared, bool offered)
    {
        var registrations = new McpCatalogBuilder();
        if (views)
        {
            registrations.AddApp("ui://desk/board", "board", (_, _) => ValueTask.FromResult("<html></html>"));
        }

        var withApps = (await Initialize("2025-11-25", registrations, TakesApps(declared))).Capabilities;
        var without = (await Initialize("2025-11-25", registrations)).Capabilities;

        Assert.Equal(offered, withApps.Extensions?.ContainsKey(McpCqrs.Mcp.Apps.McpApps.ExtensionId) == true);
        Assert.Null(without.Extensions);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2025-06-18")]
    [InlineData("2025-03-26")]
    public async Task A_supported_version_is_echoed(string version) =>
        Assert.Equal(version, (await Initialize(version)).ProtocolVersion);

    [Theory]
    [InlineData("2024-11-05")]
    [InlineData("2099-01-01")]
    [InlineData("")]
    public async Task An_unknown_version_gets_the_latest(string version) =>
        Assert.Equal("2025-11-25", (await Initialize(version)).ProtocolVersion);

    [Fact]
    public async Task The_server_offers_tools_resources_prompts_completion_and_logging()
    {
        var capabilities = (await Initialize("2025-11-25")).Capabilities;

        Assert.True(capabilities.Tools?.ListChanged);
        Assert.NotNull(capabilities.Logging);
        Assert.True(capabilities.Resources?.Subscribe);
        Assert.True(capabilities.Resources?.ListChanged);
        Assert.True(capabilities.Prompts?.ListChanged);
        Assert.NotNull(capabilities.Completions);
        Assert.Null(capabilities.Experimental);
    }

    [Fact]
    public async Task The_server_introduces_itself_from_its_options()
    {
        var result = await Initialize("2025-11-25");

        Assert.Equal("mcpcqrs", result.ServerInfo.Name);
        Assert.Equal(new McpServerInfo().Instructions, result.Instructions);
    }
}
