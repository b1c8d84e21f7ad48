using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Tasks;

/// <summary>
/// The official MCP C# client 2.4 in 2026-07-28 mode against tasks: it declares the extension in its capabilities
/// and drives <c>tasks/*</c> with raw requests (it has no task API of its own). It predates the extension's
/// <c>Mcp-Name</c> routing header for <c>tasks/*</c>, so a message handler adds it, as a client of the extension must.
/// </summary>
public sealed class McpClientTaskTests(TaskHost host) : IClassFixture<TaskHost>
{
    /// <summary>Adds <c>Mcp-Name: params.taskId</c> to <c>tasks/*</c> POSTs.</summary>
    private sealed class TaskRoutingHeader() : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.Content is { } content)
            {
                var body = JsonNode.Parse(await content.ReadAsStringAsync(cancellationToken)) as JsonObject;
                if (body?["method"]?.GetValue<string>() is { } method && method.StartsWith("tasks/", StringComparison.Ordinal)
                    && body["params"]?["taskId"]?.GetValue<string>() is { } taskId)
                {
                    request.Headers.TryAddWithoutValidation("Mcp-Name", taskId);
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private async Task<(McpClient Client, HttpClient Http)> ConnectAsync()
    {
        var http = new HttpClient(new TaskRoutingHeader());
        http.DefaultRequestHeaders.Add(Support.TestUserAuthentication.Header, "csharp");
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(host.Host.Address, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: false);
        var client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = "2026-07-28",
            ClientInfo = new Implementation { Name = "mcpcqrs-task-tests", Version = "1.0.0" },
            Capabilities = new ClientCapabilities
            {
                Elicitation = new ElicitationCapability(),
                Extensions = new Dictionary<string, object> { ["io.modelcontextprotocol/tasks"] = new JsonObject() },
            },
        });
        return (client, http);
    }

    private static async Task<JsonObject> SendAsync(McpClient client, string method, JsonObject parameters)
    {
        var response = await client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, CancellationToken.None);
        return Assert.IsType<JsonObject>(response.Result);
    }

    private static async Task<JsonObject> UntilAsync(McpClient client, string taskId, Func<string, bool> reached)
    {
        var deadline = DateTime.UtcNow + StatelessTasks.Patience;
        while (true)
        {
            var task = await SendAsync(client, "tasks/get", new JsonObject { ["taskId"] = taskId });
            if (reached(task["status"]!.GetValue<string>()))
            {
                return task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} did not get there: {task.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_official_client_creates_polls_answers_cancels_and_reads_the_result()
    {
        var (client, http) = await ConnectAsync();
        await using (client)
        using (http)
        {
            Assert.NotNull(client.ServerCapabilities.Extensions?["io.modelcontextprotocol/tasks"]);

            var created = await SendAsync(client, "tools/call", new JsonObject { ["name"] = "confirm_delete", ["arguments"] = new JsonObject { ["filename"] = "client.txt" } });
            Assert.Equal("task", created["resultType"]!.GetValue<string>());
            var taskId = created["taskId"]!.GetValue<string>();

            var waiting = await UntilAsync(client, taskId, s => s == "input_required");
            Assert.Equal("elicitation/create", waiting["inputRequests"]!["confirm"]!["method"]!.GetValue<string>());
            var answer = JsonSerializer.SerializeToNode(
                new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonSerializer.SerializeToElement(true) } },
                McpJsonUtilities.DefaultOptions);
            await SendAsync(client, "tasks/update", new JsonObject { ["taskId"] = taskId, ["inputResponses"] = new JsonObject { ["confirm"] = answer } });

            var done = await UntilAsync(client, taskId, s => s is "completed" or "failed" or "cancelled");
            var result = done["result"].Deserialize<CallToolResult>(McpJsonUtilities.DefaultOptions)!;
            Assert.Equal("Deleted client.txt.", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);

            var slow = (await SendAsync(client, "tools/call", new JsonObject { ["name"] = "slow_compute", ["arguments"] = new JsonObject { ["seconds"] = 60 } }))["taskId"]!.GetValue<string>();
            var ack = await SendAsync(client, "tasks/cancel", new JsonObject { ["taskId"] = slow });
            Assert.Equal("complete", ack["resultType"]!.GetValue<string>());
            Assert.Equal("cancelled", (await UntilAsync(client, slow, _ => true))["status"]!.GetValue<string>());

            // A plain call of the same client still answers at once.
            var greeting = await client.CallToolAsync("greet", new Dictionary<string, object?> { ["name"] = "client" });
            Assert.Equal("Hello, client!", Assert.IsType<TextContentBlock>(Assert.Single(greeting.Content)).Text);
        }
    }
}
