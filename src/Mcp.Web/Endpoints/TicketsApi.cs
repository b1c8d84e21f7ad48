using Mediator;
using McpCqrs.Querying;
using McpCqrs.Application.Tickets;
using McpCqrs.Application.Tickets.Commands.AddComment;
using McpCqrs.Application.Tickets.Commands.AssignTicket;
using McpCqrs.Application.Tickets.Commands.ChangeTicketStatus;
using McpCqrs.Application.Tickets.Commands.CreateTicket;
using McpCqrs.Application.Tickets.Queries.GetTicket;
using McpCqrs.Application.Tickets.Queries.ListTickets;
using McpCqrs.Domain.Tickets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace McpCqrs.Web.Endpoints;

/// <summary>
/// REST for tickets. Each endpoint builds the very command or query an MCP tool would send and hands it to the
/// mediator, so validation, authorization, rate limits and tracing are the same on both doors.
/// </summary>
public static class TicketsApi
{
    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder routes)
    {
        var tickets = routes.MapGroup("/api/tickets").WithTags("Tickets");

        tickets.MapPost("/", async Task<Created<TicketDto>> (CreateTicket command, ISender sender, CancellationToken ct) =>
        {
            var ticket = await sender.Send(command, ct);
            return TypedResults.Created($"/api/tickets/{ticket.Id}", ticket);
        }).WithName("CreateTicket").ProducesProblem(400);

        tickets.MapGet("/{id:int}", async Task<Ok<TicketDto>> (int id, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new GetTicket(id), ct)))
            .WithName("GetTicket").ProducesProblem(404);

        tickets.MapGet("/", async Task<Ok<Page<TicketSummaryDto>>> (
            ISender sender,
            CancellationToken ct,
            string? filter = null,
            string? orderBy = null,
            TicketStatus? status = null,
            TicketPriority? priority = null,
            int? customerId = null,
            string? assignee = null,
            int page = 1,
            int pageSize = ListTickets.DefaultPageSize) =>
            TypedResults.Ok(await sender.Send(new ListTickets(filter, orderBy, page, pageSize, status, priority, customerId, assignee), ct)))
            .WithName("ListTickets").ProducesProblem(400);

        tickets.MapPost("/{id:int}/assign", async Task<Ok<TicketDto>> (int id, AssignTicketBody body, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new AssignTicket(id, body.Assignee), ct)))
            .WithName("AssignTicket").ProducesProblem(404).ProducesProblem(409);

        tickets.MapPost("/{id:int}/status", async Task<Ok<TicketDto>> (int id, ChangeTicketStatusBody body, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new ChangeTicketStatus(id, body.Status), ct)))
            .WithName("ChangeTicketStatus").ProducesProblem(404).ProducesProblem(409);

        tickets.MapPost("/{id:int}/comments", async Task<Created<CommentDto>> (int id, AddCommentBody body, ISender sender, CancellationToken ct) =>
        {
            var comment = await sender.Send(new AddComment(id, body.Body, body.IsInternal), ct);
            return TypedResults.Created($"/api/tickets/{id}", comment);
        }).WithName("AddComment").ProducesProblem(404).ProducesProblem(409);

        return routes;
    }
}

/// <summary>The body of <c>POST /api/tickets/{id}/assign</c> (the id comes from the route).</summary>
public sealed record AssignTicketBody(string? Assignee);

/// <summary>The body of <c>POST /api/tickets/{id}/status</c>.</summary>
public sealed record ChangeTicketStatusBody(TicketStatus Status);

/// <summary>The body of <c>POST /api/tickets/{id}/comments</c>.</summary>
public sealed record AddCommentBody(string Body, bool IsInternal = false);
