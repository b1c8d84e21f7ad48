using Mediator;
using McpCqrs.Application.Customers;
using McpCqrs.Application.Customers.Commands.CreateCustomer;
using McpCqrs.Application.Customers.Queries.GetCustomer;
using Microsoft.AspNetCore.Http.HttpResults;

namespace McpCqrs.Web.Endpoints;

/// <summary>REST for customers, over the same commands and queries as the MCP tools.</summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder routes)
    {
        var customers = routes.MapGroup("/api/customers").WithTags("Customers");

        customers.MapPost("/", async Task<Created<CustomerDto>> (CreateCustomer command, ISender sender, CancellationToken ct) =>
        {
            var customer = await sender.Send(command, ct);
            return TypedResults.Created($"/api/customers/{customer.Id}", customer);
        }).WithName("CreateCustomer").ProducesProblem(400).ProducesProblem(409);

        customers.MapGet("/{id:int}", async Task<Ok<CustomerDto>> (int id, ISender sender, CancellationToken ct) =>
            TypedResults.Ok(await sender.Send(new GetCustomer(id), ct)))
            .WithName("GetCustomer").ProducesProblem(404);

        return routes;
    }
}
