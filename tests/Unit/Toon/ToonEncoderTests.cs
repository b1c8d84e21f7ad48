using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Toon;

namespace McpCqrs.Tests.Unit.Toon;

public sealed class ToonEncoderTests
{
    [Fact]
    public void Declares_spec_version_4_0()
    {
        Assert.Equal("4.0", ToonInfo.SpecVersion);
        Assert.Equal("toon-spec: 4.0", ToonInfo.SpecDeclaration);
    }

    [Fact]
    public void Encodes_the_spec_example()
    {
        var users = JsonNode.Parse("""{"users":[{"id":1,"name":"Ada","role":"admin"},{"id":2,"name":"Bob","role":"user"}]}""");

        Assert.Equal("users[2]{id,name,role}:\n  1,Ada,admin\n  2,Bob,user", ToonEncoder.Encode(users));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_numbers_encode_as_null_but_are_not_faithful(double value)
    {
        var node = new JsonObject { ["v"] = value };

        Assert.Equal("v: null", ToonEncoder.Encode(node));
        Assert.False(ToonEncoder.TryEncode(node, out var toon));
        Assert.Null(toon);
    }

    [Fact]
    public void Negative_zero_encodes_as_zero_and_counts_as_faithful()
    {
        var node = new JsonArray(JsonValue.Create(-0.0), JsonNode.Parse("-0.0"), JsonValue.Create(-0.0f), JsonValue.Create(-0m));

        Assert.True(ToonEncoder.TryEncode(node, out var toon));
        Assert.Equal("[4]: 0,0,0,0", toon);
    }

    [Fact]
    public void Numbers_are_exact_and_canonical()
    {
        var node = JsonNode.Parse(
            "[1E+6, 1.5000, 123456789012345678901, 0.1e-5, 1e-7, 1e21, -2.50e-10, 100e18, 0.30000000000000004, 12345678901234567890123]");

        Assert.Equal(
            "[10]: 1000000,1.5,123456789012345678901,0.000001,1e-7,1e+21,-2.5e-10,100000000000000000000,0.30000000000000004,1.2345678901234567890123e+22",
            ToonEncoder.Encode(node));
    }

    [Fact]
    public void Clr_numbers_use_their_shortest_round_trip_form()
    {
        var node = new JsonArray(
            JsonValue.Create(0.1),
            JsonValue.Create(1e-7),
            JsonValue.Create(1.5f),
            JsonValue.Create(123.4500m),
            JsonValue.Create(long.MinValue),
            JsonValue.Create(ulong.MaxValue),
            JsonValue.Create((Half)0.5));

        Assert.Equal("[7]: 0.1,1e-7,1.5,123.45,-9223372036854775808,18446744073709551615,0.5", ToonEncoder.Encode(node));
    }

    [Fact]
    public void Numbers_of_any_length_are_canonical()
    {
        // Longer than the writer's buffer on the stack: 150 zeros, then the same with a fraction and a long exponent.
        var zeros = new string('0', 150);
        using var document = JsonDocument.Parse($"[1{zeros},1{zeros}.50,-0.{zeros}1e+300,7]");

        Assert.Equal($"[4]: 1e+150,1.{zeros}5e+150,-1e+149,7", ToonEncoder.Encode(document.RootElement));
    }

    [Fact]
    public void Other_clr_values_are_normalized_through_their_json_serialization()
    {
        var node = new JsonObject
        {
            ["at"] = JsonValue.Create(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
            ["id"] = JsonValue.Create(Guid.Empty),
            ["c"] = JsonValue.Create('x'),
        };

        Assert.Equal(
            "at: \"2025-01-02T03:04:05+00:00\"\nid: 00000000-0000-0000-0000-000000000000\nc: x",
            ToonEncoder.Encode(node));
    }

    [Fact]
    public void Unpaired_surrogates_cannot_be_encoded()
    {
        var value = new JsonObject { ["s"] = "a\uD800b" };
        var key = new JsonObject { ["k\uDC00"] = 1 };

        Assert.False(ToonEncoder.TryEncode(value, out _));
        Assert.False(ToonEncoder.TryEncode(key, out _));
        Assert.Throws<ArgumentException>(() => ToonEncoder.Encode(value));
    }

    [Fact]
    public void Duplicate_property_names_in_a_JsonElement_cannot_be_encoded()
    {
        using var document = JsonDocument.Parse("""{"a":1,"a":2}""");

        Assert.False(ToonEncoder.TryEncode(document.RootElement, null, out _));
        Assert.False(ToonEncoder.TryEncode(JsonNode.Parse("""{"a":1,"a":2}"""), out _));
        var error = Assert.Throws<ArgumentException>(() => ToonEncoder.Encode(document.RootElement));
        Assert.Contains("Duplicate property name 'a'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":1,"\u0061":2}""", "a")]
    [InlineData("""[{"a":1,"b":2},{"a":1,"a":2}]""", "a")]
    [InlineData("""{"p0":0,"p1":1,"p2":2,"p3":3,"p4":4,"p5":5,"p6":6,"p7":7,"p8":8,"p9":9,"p10":10,"p11":11,"p12":12,"p13":13,"p14":14,"p15":15,"p16":16,"p3":3}""", "p3")]
    public void A_repeated_name_is_found_however_it_is_written_and_wherever_it_stands(string json, string name)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<ArgumentException>(() => ToonEncoder.Encode(document.RootElement));
        Assert.Contains($"Duplicate property name '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_escaped_unpaired_surrogate_in_a_JsonElement_cannot_be_encoded()
    {
        using var inString = JsonDocument.Parse("""{"s":"a\ud800b"}""");
        using var inName = JsonDocument.Parse("""{"k\udc00":1}""");

        Assert.False(ToonEncoder.TryEncode(inString.RootElement, null, out _));
        Assert.False(ToonEncoder.TryEncode(inName.RootElement, null, out _));
    }

    [Fact]
    public void Escaped_names_and_strings_are_written_as_their_text_and_rows_may_list_keys_in_any_order()
    {
        using var document = JsonDocument.Parse("""{"k\u00e9y":"v\u0041","rows":[{"id":1,"name":"x"},{"name":"y\n","id":2}]}""");

        Assert.Equal("\"k\u00e9y\": vA\nrows[2]{id,name}:\n  1,x\n  2,\"y\\n\"", ToonEncoder.Encode(document.RootElement));
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0xFF, 0x22 })] // a string
    [InlineData(new byte[] { 0x5B, 0x22, 0x61, 0x22, 0x2C, 0x22, 0xC3, 0x22, 0x5D })] // a cut-off sequence in an array
    [InlineData(new byte[] { 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0xFE, 0x22, 0x3A, 0x32, 0x7D })] // names
    [InlineData(new byte[] { 0x5B, 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D, 0x2C, 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x32, 0x7D, 0x5D })] // a table's field
    public void Invalid_UTF8_inside_a_document_is_refused_not_replaced(byte[] json)
    {
        // JsonDocument.Parse checks the UTF-8 of a string only when it is read.
        using var document = JsonDocument.Parse(json);

        Assert.False(ToonEncoder.TryEncode(document.RootElement, null, out _));
        Assert.Throws<ArgumentException>(() => ToonEncoder.Encode(document.RootElement));
        Assert.False(ToonEncoder.TryEncode(JsonNode.Parse(json), out _));
        // Into a buffer: nothing written (the writer works on its own text until the document is whole).
        var utf8 = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.False(ToonEncoder.TryEncode(document.RootElement, null, utf8));
        Assert.Equal(0, utf8.WrittenCount);
    }

    [Fact]
    public void Invalid_UTF8_in_a_name_of_a_wide_object_is_refused()
    {
        var json = "{" + string.Join(',', Enumerable.Range(0, 17).Select(i => $"\"p{i}\":{i}")) + ",\"\u00FF\":1}";
        var bytes = System.Text.Encoding.Latin1.GetBytes(json); // U+00FF as the single byte FF: not UTF-8
        using var document = JsonDocument.Parse(bytes);

        Assert.False(ToonEncoder.TryEncode(document.RootElement, null, out _));
    }

    [Fact]
    public void The_largest_MaxDepth_still_encodes_a_node()
    {
        Assert.Equal("1", ToonEncoder.Encode(JsonValue.Create(1), new ToonOptions { MaxDepth = int.MaxValue }));
    }

    [Fact]
    public void Wide_rows_listing_their_keys_in_another_order_are_one_table_in_the_header_order()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"k{i}").ToArray();
        var rows = new JsonArray(
            new JsonObject(keys.Select(k => KeyValuePair.Create(k, (JsonNode?)JsonValue.Create(k + "a")))),
            new JsonObject(keys.Reverse().Select(k => KeyValuePair.Create(k, (JsonNode?)JsonValue.Create(k + "b")))));

        var lines = ToonEncoder.Encode(rows).Split('\n');

        Assert.Equal($"[2]{{{string.Join(',', keys)}}}:", lines[0]);
        Assert.Equal("  " + string.Join(',', keys.Select(k => k + "a")), lines[1]);
        Assert.Equal("  " + string.Join(',', keys.Select(k => k + "b")), lines[2]);
    }

    [Fact]
    public void Nesting_beyond_MaxDepth_cannot_be_encoded()
    {
        JsonNode node = new JsonArray();
        for (var i = 1; i < 10; i++)
        {
            node = new JsonObject { ["n"] = node };
        }

        Assert.True(ToonEncoder.TryEncode(node, new ToonOptions { MaxDepth = 10 }, out _));
        Assert.False(ToonEncoder.TryEncode(node, new ToonOptions { MaxDepth = 9 }, out _));
        Assert.Throws<ArgumentException>(() => ToonEncoder.Encode(node, new ToonOptions { MaxDepth = 9 }));
    }

    [Fact]
    public void Rejects_invalid_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToonEncoder.Encode(null, new ToonOptions { Indent = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ToonEncoder.Encode(null, new ToonOptions { Delimiter = ';' }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ToonDecoder.Decode("a: 1", new ToonDecodeOptions { Indent = 0 }));
    }

    [Fact]
    public void Null_and_primitive_roots()
    {
        Assert.Equal("null", ToonEncoder.Encode((JsonNode?)null));
        Assert.Equal("\"a:b\"", ToonEncoder.Encode(JsonValue.Create("a:b")));
        Assert.Equal(string.Empty, ToonEncoder.Encode(new JsonObject()));
    }

    [Fact]
    public void Uniform_objects_with_object_values_collapse_into_nested_field_groups()
    {
        var node = JsonNode.Parse("""{"teams":[{"members":{"ada":{"role":"lead"},"bob":{"role":"dev"}},"name":"core"}]}""");

        Assert.Equal("teams[1]{members{ada{role},bob{role}},name}:\n  lead,dev,core", ToonEncoder.Encode(node));
    }

    [Fact]
    public void Keyed_list_item_and_nested_groups_follow_the_v4_layout()
    {
        var node = JsonNode.Parse("""
            {"teams":[{"members":{"ada":{"role":"lead","geo":{"lat":1,"lon":2}},"bob":{"role":"dev","geo":{"lat":3,"lon":4}}},"name":"core"},{"name":"ops"}]}
            """);

        Assert.Equal(
            """
            teams[2]:
              - members[2:]{role,geo{lat,lon}}:
                  ada: lead,1,2
                  bob: dev,3,4
                name: core
              - name: ops
            """.ReplaceLineEndings("\n"),
            ToonEncoder.Encode(node));
    }
}
