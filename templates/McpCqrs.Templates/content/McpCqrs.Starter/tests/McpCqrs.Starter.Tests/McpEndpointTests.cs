using System.Text.Json.Nodes;

namespace McpCqrs.Starter.Tests;

/// <summary>
/// The tools over MCP, as a client calls them: these pass only if the web host's mediator was generated with the
/// engine's handlers and behaviors (the validation error below comes from the engine's ValidationBehavior).
/// </summary>
public sealed class McpEndpointTests(StarterFactory factory) : IClassFixture<StarterFactory>
{
    [Fact]
    public async Task Lists_the_tools_after_initialize()
    {
        var client = new McpClient(factory.CreateClient());
        var initialize = await client.InitializeAsync();
        Assert.Equal(McpClient.ProtocolVersion, initialize["protocolVersion"]!.GetValue<string>());

        var tools = await client.RequestAsync("tools/list", []);

        var names = tools["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("create_note", names);
        Assert.Contains("list_notes", names);
    }

    [Fact]
    public async Task A_created_note_comes_back_as_structured_content_and_in_the_list()
    {
        var client = new McpClient(factory.CreateClient());
        await client.InitializeAsync();

        var created = await client.CallToolAsync("create_note", new JsonObject { ["title"] = "Order more paper" });

        Assert.NotEqual(true, created["isError"]?.GetValue<bool>());
        var note = created["structuredContent"]!;
        Assert.Equal("Order more paper", note["title"]!.GetValue<string>());
        var listed = await client.CallToolAsync("list_notes", new JsonObject { ["take"] = 100 });
        Assert.Contains(
            listed["structuredContent"]!["items"]!.AsArray(),
            n => n!["id"]!.GetValue<int>() == note["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_invalid_call_is_a_tool_error_that_names_the_field()
    {
        var client = new McpClient(factory.CreateClient());
        await client.InitializeAsync();

        var result = await client.CallToolAsync("create_note", new JsonObject { ["title"] = "" });

        Assert.True(result["isError"]!.GetValue<bool>(), result.ToJsonString());
        var text = string.Join("\n", result["content"]!.AsArray().Select(c => c!["text"]?.GetValue<string>()));
        Assert.Contains("title", text, StringComparison.OrdinalIgnoreCase);
    }
}
