using System.Net;
using System.Text.Json.Nodes;

namespace McpCqrs.Tests.Integration.Stateless;

/// <summary>
/// The checks of a 2026-07-28 request, one rule at a time and in the order the revision gives them (digest part A,
/// rules 1–8), over raw HTTP against the real host.
/// </summary>
public sealed class StatelessValidationTests(StatelessHost fixture) : IClassFixture<StatelessHost>
{
    private const int InvalidParams = -32602;
    private const int MethodNotFound = -32601;
    private const int HeaderMismatch = -32020;
    private const int MissingCapability = -32021;
    private const int UnsupportedVersion = -32022;

    private readonly StatelessHttp _mcp = new(fixture.Host.Client);

    private static Dictionary<string, string?> Headers(params (string Name, string? Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    // Rule 1: params._meta with protocolVersion and clientCapabilities.

    [Theory]
    [InlineData("no params at all")]
    [InlineData("params without _meta")]
    [InlineData("_meta without protocolVersion")]
    [InlineData("_meta without clientCapabilities")]
    [InlineData("_meta with a protocolVersion that is not a string")]
    [InlineData("_meta with clientCapabilities that are not an object")]
    public async Task A_request_without_the_required_meta_is_400_invalid_params_echoing_the_id(string shape)
    {
        var meta = StatelessWire.Meta();
        JsonObject message = shape switch
        {
            "no params at all" => StatelessWire.Bare("tools/list", null, "m-1"),
            "params without _meta" => StatelessWire.Bare("tools/list", new JsonObject(), "m-1"),
            "_meta without protocolVersion" => StatelessWire.Bare("tools/list", new JsonObject { ["_meta"] = Without(meta, StatelessWire.ProtocolVersionKey) }, "m-1"),
            "_meta without clientCapabilities" => StatelessWire.Bare("tools/list", new JsonObject { ["_meta"] = Without(meta, StatelessWire.ClientCapabilitiesKey) }, "m-1"),
            "_meta with a protocolVersion that is not a string" => StatelessWire.Bare("tools/list", new JsonObject { ["_meta"] = With(meta, StatelessWire.ProtocolVersionKey, 20260728) }, "m-1"),
            _ => StatelessWire.Bare("tools/list", new JsonObject { ["_meta"] = With(meta, StatelessWire.ClientCapabilitiesKey, "sampling") }, "m-1"),
        };

        // The MCP-Protocol-Version header alone makes the request a modern one.
        var reply = await _mcp.CallAsync(message, Headers(("MCP-Protocol-Version", StatelessWire.Version)));

        Expect.Error(reply, HttpStatusCode.BadRequest, InvalidParams, "m-1");
    }

    [Fact]
    public async Task Missing_meta_is_reported_before_a_missing_version_header()
    {
        // No header, but _meta lacks its capabilities: rule 1 comes first.
        var message = StatelessWire.Bare("tools/list", new JsonObject { ["_meta"] = Without(StatelessWire.Meta(), StatelessWire.ClientCapabilitiesKey) }, 3);

        var reply = await _mcp.CallAsync(message, Headers(("MCP-Protocol-Version", null)));

        Expect.Error(reply, HttpStatusCode.BadRequest, InvalidParams, 3);
    }

    [Fact]
    public async Task ClientInfo_is_optional()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: 11, meta: StatelessWire.Meta(clientInfo: false)));

        var result = Expect.Complete(reply, 11);
        Assert.NotEmpty(Assert.IsType<JsonArray>(result["tools"]));
    }

    // Rule 2: the MCP-Protocol-Version header equals the _meta version.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-29")]
    public async Task A_missing_or_different_version_header_is_400_header_mismatch(string? header)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: "v-1"), Headers(("MCP-Protocol-Version", header)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, "v-1");
    }

    [Fact]
    public async Task A_version_header_mismatch_is_reported_before_an_unsupported_version()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: 5, meta: StatelessWire.Meta(version: "2099-01-01")), Headers(("MCP-Protocol-Version", StatelessWire.Version)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 5);
    }

    // Rule 3: unsupported version.

    [Fact]
    public async Task An_unsupported_version_is_400_with_the_supported_and_the_requested_versions()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: "u-1", meta: StatelessWire.Meta(version: "2099-01-01")), Headers(("MCP-Protocol-Version", "2099-01-01")));

        var error = Expect.Error(reply, HttpStatusCode.BadRequest, UnsupportedVersion, "u-1");
        var data = Assert.IsType<JsonObject>(error["data"]);
        Assert.Equal("2099-01-01", data["requested"]?.GetValue<string>());
        var supported = Assert.IsType<JsonArray>(data["supported"]).Select(v => v!.GetValue<string>()).ToList();
        Assert.Contains(StatelessWire.Version, supported);

        // Every version named there is one server/discover names too.
        var discover = Expect.Complete(await _mcp.CallAsync(StatelessWire.Request("server/discover", id: "u-2")), "u-2");
        var discovered = Assert.IsType<JsonArray>(discover["supportedVersions"]).Select(v => v!.GetValue<string>()).ToList();
        Assert.All(supported, v => Assert.Contains(v, discovered));
    }

    [Fact]
    public async Task An_unsupported_version_is_reported_before_a_bad_method_header()
    {
        var reply = await _mcp.CallAsync(
            StatelessWire.Request("tools/list", id: 6, meta: StatelessWire.Meta(version: "2099-01-01")),
            Headers(("MCP-Protocol-Version", "2099-01-01"), ("Mcp-Method", "prompts/list")));

        Expect.Error(reply, HttpStatusCode.BadRequest, UnsupportedVersion, 6);
    }

    // Rule 4: standard headers.

    [Theory]
    [InlineData(null)]
    [InlineData("prompts/list")]
    [InlineData("TOOLS/LIST")]
    [InlineData("tools/list/")]
    public async Task A_missing_mismatched_or_differently_cased_Mcp_Method_is_400_header_mismatch(string? header)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Request("tools/list", id: "h-1"), Headers(("Mcp-Method", header)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, "h-1");
    }

    [Theory]
    [InlineData("Mcp-Method", "  tools/call  ")]
    [InlineData("Mcp-Name", "  test_simple_text  ")]
    [InlineData("Mcp-Method", " tools/call")]
    [InlineData("Mcp-Name", "test_simple_text   ")]
    public async Task Standard_header_values_with_surrounding_whitespace_are_accepted(string header, string value)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_simple_text", id: 21), Headers((header, value)));

        var result = Expect.Complete(reply, 21);
        Assert.Equal("This is a simple text response for testing.", Expect.Text(result));
    }

    [Theory]
    [InlineData("mcp-method", "mcp-name", "mcp-protocol-version")]
    [InlineData("MCP-METHOD", "MCP-NAME", "MCP-PROTOCOL-VERSION")]
    public async Task Header_names_are_case_insensitive(string method, string name, string version)
    {
        var message = StatelessWire.Call("test_simple_text", id: 22);
        var headers = Headers(("Mcp-Method", null), ("Mcp-Name", null), ("MCP-Protocol-Version", null));
        var request = StatelessHttp.Build(message, headers);
        request.Headers.TryAddWithoutValidation(method, "tools/call");
        request.Headers.TryAddWithoutValidation(name, "test_simple_text");
        request.Headers.TryAddWithoutValidation(version, StatelessWire.Version);

        using var response = await _mcp.Client.SendAsync(request);

        Expect.Complete(await StatelessHttp.ReadAsync(response), 22);
    }

    public static TheoryData<string, string, string> NamedRequests => new()
    {
        // method, the params field Mcp-Name mirrors, its value
        { "tools/call", "name", "test_simple_text" },
        { "prompts/get", "name", "test_simple_prompt" },
        { "resources/read", "uri", "test://static-text" },
    };

    private static JsonObject Named(string method, string field, string value, JsonNode id)
    {
        var parameters = new JsonObject { [field] = value };
        if (method == "tools/call")
        {
            parameters["arguments"] = new JsonObject();
        }

        return StatelessWire.Request(method, parameters, id);
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task A_missing_Mcp_Name_is_400_header_mismatch(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, "n-1"), Headers(("Mcp-Name", null)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, "n-1");
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task A_mismatched_Mcp_Name_is_400_header_mismatch(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, 31), Headers(("Mcp-Name", value + "x")));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 31);
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task An_Mcp_Name_that_differs_only_in_case_is_400_header_mismatch(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, 32), Headers(("Mcp-Name", value.ToUpperInvariant())));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 32);
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task A_matching_Mcp_Name_is_accepted(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, 33));

        Expect.Complete(reply, 33);
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task A_base64_Mcp_Name_that_decodes_to_the_name_is_accepted(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, 34), Headers(("Mcp-Name", StatelessWire.Base64Sentinel(value))));

        Expect.Complete(reply, 34);
    }

    [Theory]
    [MemberData(nameof(NamedRequests))]
    public async Task A_base64_Mcp_Name_that_decodes_to_another_name_is_400_header_mismatch(string method, string field, string value)
    {
        var reply = await _mcp.CallAsync(Named(method, field, value, 35), Headers(("Mcp-Name", StatelessWire.Base64Sentinel(value + "x"))));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 35);
    }

    [Theory]
    [InlineData("=?base64?SGVsbG8?=")] // "Hello" without its padding
    [InlineData("=?base64?SGVs!!!bG8=?=")] // characters outside Base64
    [InlineData("=?base64?SGVsbG8=?=x")] // not ending with the marker: literal text, which is not "Hello"
    public async Task A_bad_base64_Mcp_Name_is_400_header_mismatch(string header)
    {
        // The name is what a lenient decoder would make of the header, so only strict decoding rejects it.
        var reply = await _mcp.CallAsync(StatelessWire.Call("Hello", id: "b-1"), Headers(("Mcp-Name", header)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, "b-1");
    }

    // Rule 5: x-mcp-header (test_custom_header: region ↔ Mcp-Param-Region).

    [Theory]
    [InlineData("us-west-2", "us-west-2")]
    [InlineData("us-west-2", "  us-west-2 ")]
    [InlineData("Hello", "=?base64?SGVsbG8=?=")]
    [InlineData("Zürich", "=?base64?WsO8cmljaA==?=")]
    [InlineData("=?base64?abc", "=?base64?abc")] // only wrapped in both markers is a value Base64
    public async Task A_parameter_header_matching_the_argument_is_accepted(string region, string header)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_custom_header", new JsonObject { ["region"] = region }, 41), Headers(("Mcp-Param-Region", header)));

        var result = Expect.Complete(reply, 41);
        Assert.Equal($"Region: {region}", Expect.Text(result));
    }

    [Fact]
    public async Task A_parameter_header_absent_while_the_argument_is_present_is_400_header_mismatch()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_custom_header", new JsonObject { ["region"] = "eu-central-1" }, "p-1"));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, "p-1");
    }

    [Theory]
    [InlineData("eu-central-1", "eu-west-1")]
    [InlineData("eu-central-1", "EU-CENTRAL-1")]
    [InlineData("eu-central-1", "")]
    [InlineData("Hello", "=?base64?SGVsbG8?=")]
    [InlineData("Hello", "=?base64?SGVs!!!bG8=?=")]
    [InlineData("Hello", "=?BASE64?SGVsbG8=?=")] // the markers are lowercase: this is literal text
    public async Task A_parameter_header_that_does_not_match_or_is_bad_base64_is_400_header_mismatch(string region, string header)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_custom_header", new JsonObject { ["region"] = region }, 42), Headers(("Mcp-Param-Region", header)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 42);
    }

    [Fact]
    public async Task No_parameter_header_is_needed_when_the_argument_is_absent()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_custom_header", new JsonObject(), 43));

        Assert.Equal("Region: (none)", Expect.Text(Expect.Complete(reply, 43)));
    }

    [Fact]
    public async Task No_parameter_header_is_needed_when_the_argument_is_null()
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_custom_header", new JsonObject { ["region"] = null }, 44));

        Assert.Equal("Region: (none)", Expect.Text(Expect.Complete(reply, 44)));
    }

    [Theory]
    [InlineData(42, "42")]
    [InlineData(42, " 42 ")]
    [InlineData(42, "042")]
    [InlineData(42, "=?base64?NDI=?=")]
    [InlineData(-7, "-7")]
    public async Task An_integer_parameter_header_is_compared_numerically(int count, string header)
    {
        var reply = await _mcp.CallAsync(
            StatelessWire.Call(StatelessTestFixtures.HeaderedTool, new JsonObject { ["count"] = count }, 45),
            Headers(("Mcp-Param-Count", header)));

        Assert.Equal($"count={count}, urgent=null", Expect.Text(Expect.Complete(reply, 45)));
    }

    [Theory]
    [InlineData("43")]
    [InlineData("forty-two")]
    [InlineData("42abc")]
    [InlineData(null)]
    public async Task An_integer_parameter_header_that_is_absent_or_another_number_is_400_header_mismatch(string? header)
    {
        var reply = await _mcp.CallAsync(
            StatelessWire.Call(StatelessTestFixtures.HeaderedTool, new JsonObject { ["count"] = 42 }, 46),
            Headers(("Mcp-Param-Count", header)));

        Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 46);
    }

    [Theory]
    [InlineData(true, "true", true)]
    [InlineData(false, "false", true)]
    [InlineData(true, "false", false)]
    [InlineData(false, "0", false)]
    [InlineData(true, null, false)]
    public async Task A_boolean_parameter_header_must_carry_the_value(bool urgent, string? header, bool accepted)
    {
        var reply = await _mcp.CallAsync(
            StatelessWire.Call(StatelessTestFixtures.HeaderedTool, new JsonObject { ["count"] = 1, ["urgent"] = urgent }, 47),
            Headers(("Mcp-Param-Count", "1"), ("Mcp-Param-Urgent", header)));

        if (accepted)
        {
            Assert.Equal($"count=1, urgent={urgent}", Expect.Text(Expect.Complete(reply, 47)));
        }
        else
        {
            Expect.Error(reply, HttpStatusCode.BadRequest, HeaderMismatch, 47);
        }
    }

    // Rule 6: unknown and removed methods.

    [Theory]
    [InlineData("initialize")]
    [InlineData("ping")]
    [InlineData("logging/setLevel")]
    [InlineData("resources/subscribe")]
    [InlineData("resources/unsubscribe")]
    [InlineData("tools/frobnicate")]
    public async Task Removed_and_unknown_methods_are_404_method_not_found(string method)
    {
        var parameters = method switch
        {
            "initialize" => new JsonObject
            {
                ["protocolVersion"] = StatelessWire.Version,
                ["capabilities"] = new JsonObject(),
                ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1" },
            },
            "logging/setLevel" => new JsonObject { ["level"] = "debug" },
            "resources/subscribe" or "resources/unsubscribe" => new JsonObject { ["uri"] = "test://static-text" },
            _ => new JsonObject(),
        };

        var reply = await _mcp.CallAsync(StatelessWire.Request(method, parameters, "r-" + method));

        Expect.Error(reply, HttpStatusCode.NotFound, MethodNotFound, "r-" + method);
        Assert.False(reply.Headers.Contains("Mcp-Session-Id"), "a modern initialize must not open a session");
    }

    // Rule 8: capabilities of this request only.

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"elicitation":{},"roots":{}}""")]
    public async Task A_tool_needing_an_undeclared_capability_is_400_missing_capability_naming_it(string capabilities)
    {
        var reply = await _mcp.CallAsync(StatelessWire.Call("test_missing_capability", id: "c-1", meta: StatelessWire.Meta(JsonNode.Parse(capabilities)!.AsObject())));

        var error = Expect.Error(reply, HttpStatusCode.BadRequest, MissingCapability, "c-1");
        var data = Assert.IsType<JsonObject>(error["data"]);
        var required = Assert.IsType<JsonObject>(data["requiredCapabilities"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["sampling"] = new JsonObject() }, required), required.ToJsonString());
    }

    [Fact]
    public async Task Capabilities_are_never_inferred_from_an_earlier_request()
    {
        var declared = await _mcp.CallAsync(StatelessWire.Call("test_missing_capability", id: 51, meta: StatelessWire.Meta(new JsonObject { ["sampling"] = new JsonObject() })));
        var undeclared = await _mcp.CallAsync(StatelessWire.Call("test_missing_capability", id: 52, meta: StatelessWire.Meta(new JsonObject())));

        Expect.InputRequired(declared, 51);
        Expect.Error(undeclared, HttpStatusCode.BadRequest, MissingCapability, 52);
    }

    // Rule 7: every error echoes the request's id, string or number, never null.

    public static TheoryData<string, string> ErrorsAndIds()
    {
        string[] errors =
        [
            "missing _meta", "version header mismatch", "unsupported version", "Mcp-Method mismatch", "Mcp-Name missing",
            "bad base64", "parameter header missing", "removed method", "unknown method", "missing capability",
            "unknown resource", "invalid log level",
        ];
        var data = new TheoryData<string, string>();
        foreach (var error in errors)
        {
            foreach (var id in (string[])["\"req-7\"", "\"\"", "42", "0", "-3", "9007199254740991"])
            {
                data.Add(error, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorsAndIds))]
    public async Task Every_error_echoes_the_request_id_with_its_json_type(string error, string idJson)
    {
        var id = JsonNode.Parse(idJson)!;
        var (message, headers, status, code) = error switch
        {
            "missing _meta" => (StatelessWire.Bare("tools/list", new JsonObject(), id.DeepClone()), Headers(("MCP-Protocol-Version", StatelessWire.Version)), HttpStatusCode.BadRequest, InvalidParams),
            "version header mismatch" => (StatelessWire.Request("tools/list", id: id.DeepClone()), Headers(("MCP-Protocol-Version", null)), HttpStatusCode.BadRequest, HeaderMismatch),
            "unsupported version" => (StatelessWire.Request("tools/list", id: id.DeepClone(), meta: StatelessWire.Meta(version: "2099-01-01")), Headers(), HttpStatusCode.BadRequest, UnsupportedVersion),
            "Mcp-Method mismatch" => (StatelessWire.Request("tools/list", id: id.DeepClone()), Headers(("Mcp-Method", "TOOLS/LIST")), HttpStatusCode.BadRequest, HeaderMismatch),
            "Mcp-Name missing" => (StatelessWire.Call("test_simple_text", id: id.DeepClone()), Headers(("Mcp-Name", null)), HttpStatusCode.BadRequest, HeaderMismatch),
            "bad base64" => (StatelessWire.Call("test_simple_text", id: id.DeepClone()), Headers(("Mcp-Name", "=?base64?dGVzdA?=")), HttpStatusCode.BadRequest, HeaderMismatch),
            "parameter header missing" => (StatelessWire.Call("test_custom_header", new JsonObject { ["region"] = "x" }, id.DeepClone()), Headers(), HttpStatusCode.BadRequest, HeaderMismatch),
            "removed method" => (StatelessWire.Request("ping", id: id.DeepClone()), Headers(), HttpStatusCode.NotFound, MethodNotFound),
            "unknown method" => (StatelessWire.Request("no/such-method", id: id.DeepClone()), Headers(), HttpStatusCode.NotFound, MethodNotFound),
            "missing capability" => (StatelessWire.Call("test_missing_capability", id: id.DeepClone(), meta: StatelessWire.Meta(new JsonObject())), Headers(), HttpStatusCode.BadRequest, MissingCapability),
            "unknown resource" => (StatelessWire.Request("resources/read", new JsonObject { ["uri"] = "test://no-such-resource" }, id.DeepClone()), Headers(), HttpStatusCode.OK, InvalidParams),
            "invalid log level" => (StatelessWire.Request("tools/list", id: id.DeepClone(), meta: With(StatelessWire.Meta(), StatelessWire.LogLevelKey, "loud")), Headers(), HttpStatusCode.BadRequest, InvalidParams),
            _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
        };

        var reply = await _mcp.CallAsync(message, headers);

        Expect.Error(reply, status, code, id);
        Assert.Contains("\"id\":" + idJson, reply.Final.ToJsonString(), StringComparison.Ordinal);
    }

    private static JsonObject Without(JsonObject meta, string key)
    {
        var copy = meta.DeepClone().AsObject();
        copy.Remove(key);
        return copy;
    }

    private static JsonObject With(JsonObject meta, string key, JsonNode? value)
    {
        var copy = meta.DeepClone().AsObject();
        copy[key] = value;
        return copy;
    }
}
