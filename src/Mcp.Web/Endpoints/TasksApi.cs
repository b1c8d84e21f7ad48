using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using McpCqrs.Mcp.Tasks;
using McpCqrs.Application.Tickets.Commands.ExportTickets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace McpCqrs.Web.Endpoints;

/// <summary>
/// REST for long-running commands: starting one answers <c>202 Accepted</c> with <c>Location: /api/tasks/{id}</c>;
/// that resource shows the task as MCP's <c>tasks/get</c> does (status, status message, pending input requests,
/// result or error), from the same store, so a task started over REST can be followed over MCP and the other way
/// round. Only the caller who started a task sees it; anyone else gets 404.
/// </summary>
public static class TasksApi
{
    /// <summary>The body of <c>POST /api/tasks/{id}/input</c>: answers by input request key.</summary>
    public sealed record AnswerTaskBody(Dictionary<string, JsonNode?> InputResponses);

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/tickets/exports", async Task<Accepted<JsonObject>> (ExportTickets command, McpCqrs.Mcp.Methods.IMcpMethodHandler<StartToolTask, StartedTask> start, CancellationToken ct) =>
        {
            var arguments = JsonSerializer.SerializeToElement(command, McpCqrs.Mcp.Serialization.AppJson.Options)
                .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            var started = await start.Handle(new StartToolTask("export_tickets", arguments), ct);
            return TypedResults.Accepted($"/api/tasks/{started.Id}", started.Task);
        }).WithTags("Tickets").WithName("ExportTickets").ProducesProblem(400).ProducesProblem(403);

        var tasks = routes.MapGroup("/api/tasks").WithTags("Tasks");
        tasks.MapGet("/{id}", async Task<Ok<JsonObject>> (string id, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new GetTask(id), ct)))
            .WithName("GetTask").ProducesProblem(404);
        tasks.MapPost("/{id}/cancel", async Task<Ok<JsonObject>> (string id, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new CancelTask(id), ct)))
            .WithName("CancelTask").ProducesProblem(404);
        tasks.MapPost("/{id}/input", async Task<Ok<JsonObject>> (string id, AnswerTaskBody body, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new AnswerTask(id, body.InputResponses), ct)))
            .WithName("AnswerTask").ProducesProblem(404);
        return routes;
    }
}
