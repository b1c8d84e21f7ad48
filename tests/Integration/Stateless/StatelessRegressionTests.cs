using System.Net;
using System.Text.Json.Nodes;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>Inputs that once escaped the stateless era's checks.</summary>
public sealed class StatelessRegressionTests(StatelessHost fixture) : IClassFixture<StatelessHost>
{
    private readonly StatelessHttp _mcp = new(fixture.Host.Client);

    [Fact]
    public async Task A_number_too_large_for_a_decimal_in_a_header_argument_is_a_JSON_RPC_error()
    {
        var reply = await _mcp.CallAsync(
            StatelessWire.Call("test_custom_header", JsonNode.Parse("""{"region":1e300}""")!.AsObject(), 1),
            new Dictionary<string, string?> { ["Mcp-Param-Region"] = "1" });

        Expect.Error(reply, HttpStatusCode.BadRequest, -32020, 1);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("99")]
    [InlineData("-1")]
    [InlineData("\"0\"")]
    [InlineData("\"Debug\"")]
    public async Task A_log_level_that_is_not_a_level_name_is_invalid_params(string level)
    {
        var meta = StatelessWire.Meta();
        meta[StatelessWire.LogLevelKey] = JsonNode.Parse(level);

        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: 7, meta: meta));

        Expect.Error(reply, HttpStatusCode.BadRequest, -32602, 7);
    }
}
