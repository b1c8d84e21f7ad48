using System.Net;
using System.Text.Json;

namespace McpCqrs.Tests.Integration.Support;

/// <summary>Reads an RFC 7807 response and checks its media type on the way.</summary>
public sealed record Problem(int Status, string? Code, string? ErrorCode, IReadOnlyDictionary<string, string[]> Errors, string? Detail)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var errors = new Dictionary<string, string[]>();
        if (root.TryGetProperty("errors", out var e))
        {
            foreach (var field in e.EnumerateObject())
            {
                errors[field.Name] = [.. field.Value.EnumerateArray().Select(v => v.GetString()!)];
            }
        }

        return new Problem(
            root.GetProperty("status").GetInt32(),
            root.TryGetProperty("code", out var code) ? code.GetString() : null,
            root.TryGetProperty("errorCode", out var errorCode) ? errorCode.GetString() : null,
            errors,
            root.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
    }
}
