using System.Text.Json.Nodes;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.External;
using McpCqrs.Mcp.Tasks;

namespace McpCqrs.Tests.Unit.Tasks;

/// <summary>Inside a task only its own request skips the gates that ran when the task was created.</summary>
public sealed class AdmittedTaskTests
{
    private sealed record Export(string Filter);

    private sealed class RunningTask : IMcpTaskContext
    {
        public string TaskId => "t";

        public string Owner => "alice";

        public ValueTask ReportAsync(string statusMessage, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyDictionary<string, JsonNode?>> AskAsync(IReadOnlyDictionary<string, InputRequest> requests, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    [Fact]
    public void Only_the_admitted_request_of_a_running_task_skips_the_gates()
    {
        var admitted = new Export("status=Open");
        var context = new McpRequestContext { Task = new RunningTask(), AdmittedRequest = admitted };

        Assert.True(AdmittedTask.Skips(context, admitted));
        Assert.True(AdmittedTask.Skips(context, new ExternalRequest(admitted, (_, _, _) => ValueTask.FromResult<object?>(null))));
        Assert.False(AdmittedTask.Skips(context, new Export("status=Open")));
        Assert.False(AdmittedTask.Skips(new McpRequestContext { AdmittedRequest = admitted }, admitted));
        Assert.False(AdmittedTask.Skips(new McpRequestContext { Task = new RunningTask() }, admitted));
    }
}
