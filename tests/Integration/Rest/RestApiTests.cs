using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpCqrs.Tests.Integration.Support;

namespace McpCqrs.Tests.Integration.Rest;

/// <summary>The REST endpoints over real HTTP against a real, freshly migrated PostgreSQL database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RestApiTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private string _database = null!;
    private TestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        _host = await TestHost.StartOnPostgresAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await postgres.DropDatabaseAsync(_database);
    }

    private async Task<JsonElement> CreateCustomerAsync(string email)
    {
        var response = await Client.PostAsJsonAsync("/api/customers", new { name = "Ada Lovelace", email, company = "Engines" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task A_ticket_lives_its_whole_life_over_REST()
    {
        var customer = await CreateCustomerAsync("ada@example.com");
        var customerId = customer.GetProperty("id").GetInt32();

        var created = await Client.PostAsJsonAsync("/api/tickets", new { customerId, title = "Printer on fire", priority = "Urgent", tags = new[] { "Hardware" } });
        var ticket = await OkJsonAsync(created, HttpStatusCode.Created);
        var id = ticket.GetProperty("id").GetInt32();
        Assert.Equal($"/api/tickets/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("Open", ticket.GetProperty("status").GetString());
        Assert.Equal("hardware", ticket.GetProperty("tags")[0].GetString());

        var read = await OkJsonAsync(await Client.GetAsync($"/api/tickets/{id}"));
        Assert.Equal("Printer on fire", read.GetProperty("title").GetString());
        Assert.Equal("Ada Lovelace", read.GetProperty("customerName").GetString());
        Assert.EndsWith("Z", read.GetProperty("createdAt").GetString(), StringComparison.Ordinal);

        var assigned = await OkJsonAsync(await Client.PostAsJsonAsync($"/api/tickets/{id}/assign", new { assignee = "sam" }));
        Assert.Equal("sam", assigned.GetProperty("assignee").GetString());

        var comment = await OkJsonAsync(await Client.PostAsJsonAsync($"/api/tickets/{id}/comments", new { body = "On it" }), HttpStatusCode.Created);
        Assert.Equal("On it", comment.GetProperty("body").GetString());

        var list = await OkJsonAsync(await Client.GetAsync($"/api/tickets?status=Open&customerId={customerId}&pageSize=5"));
        Assert.Equal(1, list.GetProperty("totalItems").GetInt32());
        Assert.Equal(1, list.GetProperty("page").GetInt32());
        Assert.False(list.GetProperty("hasNext").GetBoolean());
        Assert.Equal(id, list.GetProperty("items")[0].GetProperty("id").GetInt32());

        var closed = await OkJsonAsync(await Client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "Closed" }));
        Assert.Equal("Closed", closed.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("closedAt").ValueKind);

        var conflict = await Problem.ReadAsync(await Client.PostAsJsonAsync($"/api/tickets/{id}/assign", new { assignee = "kim" }), HttpStatusCode.Conflict);
        Assert.Equal("conflict", conflict.Code);
        Assert.Equal("ticket.closed", conflict.ErrorCode);

        var after = await OkJsonAsync(await Client.GetAsync($"/api/tickets/{id}"));
        Assert.Equal("sam", after.GetProperty("assignee").GetString());
        Assert.Single(after.GetProperty("comments").EnumerateArray());

        var owner = await OkJsonAsync(await Client.GetAsync($"/api/customers/{customerId}"));
        Assert.Equal(0, owner.GetProperty("openTickets").GetInt32());
    }

    [Fact]
    public async Task An_empty_title_is_a_400_naming_the_field()
    {
        var customer = await CreateCustomerAsync("empty-title@example.com");

        var problem = await Problem.ReadAsync(
            await Client.PostAsJsonAsync("/api/tickets", new { customerId = customer.GetProperty("id").GetInt32(), title = "" }),
            HttpStatusCode.BadRequest);

        Assert.Equal("validation_error", problem.Code);
        Assert.Contains("title", problem.Errors.Keys);
        Assert.Equal(0, (await OkJsonAsync(await Client.GetAsync("/api/tickets"))).GetProperty("totalItems").GetInt32());
    }

    [Fact]
    public async Task An_unknown_customer_is_a_400_naming_the_field()
    {
        var problem = await Problem.ReadAsync(
            await Client.PostAsJsonAsync("/api/tickets", new { customerId = 424242, title = "Hello" }),
            HttpStatusCode.BadRequest);

        Assert.Equal(["customerId"], problem.Errors.Keys);
        Assert.Contains("424242", problem.Errors["customerId"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_enum_value_in_the_body_is_a_400_naming_the_field()
    {
        var problem = await Problem.ReadAsync(
            await Client.PostAsJsonAsync("/api/tickets", new { customerId = 1, title = "Hello", priority = "Critical" }),
            HttpStatusCode.BadRequest);

        Assert.Equal(["priority"], problem.Errors.Keys);
    }

    [Fact]
    public async Task A_bad_enum_value_in_the_query_is_a_400()
    {
        var problem = await Problem.ReadAsync(await Client.GetAsync("/api/tickets?status=Sleeping"), HttpStatusCode.BadRequest);

        Assert.Contains("status", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_size_over_the_maximum_is_a_400()
    {
        var problem = await Problem.ReadAsync(await Client.GetAsync("/api/tickets?pageSize=5000"), HttpStatusCode.BadRequest);

        Assert.Equal(["pageSize"], problem.Errors.Keys);
    }

    [Fact]
    public async Task An_unknown_field_in_the_body_is_a_400()
    {
        var response = await Client.PostAsync(
            "/api/customers",
            new StringContent("""{"name":"A","email":"a@example.com","nickname":"x"}""", Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("validation_error", problem.Code);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400()
    {
        var response = await Client.PostAsync("/api/customers", new StringContent("{not json", Encoding.UTF8, "application/json"));

        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_and_nothing_is_stored()
    {
        var (status, contentType, _) = await OversizedRequest.PostAsync(_host.Address, "/api/customers", 2 * 1024 * 1024);

        Assert.Equal(413, status);
        Assert.StartsWith("application/problem+json", contentType, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsJsonAsync("/api/customers", new { name = "Small", email = "huge@example.com" })).StatusCode);
    }

    [Fact]
    public async Task An_unknown_ticket_is_a_404()
    {
        var problem = await Problem.ReadAsync(await Client.GetAsync("/api/tickets/987654"), HttpStatusCode.NotFound);

        Assert.Equal("not_found", problem.Code);
        Assert.Equal("ticket.not_found", problem.ErrorCode);
    }

    [Fact]
    public async Task A_duplicate_email_is_a_409()
    {
        await CreateCustomerAsync("twice@example.com");

        var problem = await Problem.ReadAsync(
            await Client.PostAsJsonAsync("/api/customers", new { name = "Again", email = "TWICE@example.com" }),
            HttpStatusCode.Conflict);

        Assert.Equal("customer.email_taken", problem.ErrorCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints()
    {
        var document = await OkJsonAsync(await Client.GetAsync("/openapi/v1.json"));

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/tickets", out _));
        Assert.True(paths.TryGetProperty("/api/tickets/{id}/assign", out _));
        Assert.True(paths.TryGetProperty("/api/customers", out _));
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
    }
}
