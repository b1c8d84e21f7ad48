using McpCqrs.Mcp.Output;

namespace McpCqrs.Tests.Unit.Output;

public sealed class OutputShapeTests
{
    [Theory]
    [InlineData("""[{"id":1,"name":"a"},{"id":2,"name":"b"}]""")]
    [InlineData("""[{"id":1,"name":"a"},{"name":"b","id":2}]""")]
    [InlineData("""[{"id":1,"name":null,"ok":true,"x":1.5},{"id":2,"name":"b","ok":false,"x":-3}]""")]
    [InlineData("""[{"id":1}]""")]
    public void Arrays_of_objects_with_the_same_keys_and_primitive_values_are_uniform(string json) =>
        Assert.True(OutputShape.IsUniformArrayOfObjects(OutputSamples.Parse(json)));

    [Theory]
    [InlineData("[]")]
    [InlineData("[1,2]")]
    [InlineData("""[{"id":1},2]""")]
    [InlineData("""[{"id":1},{"id":2,"name":"b"}]""")]
    [InlineData("""[{"id":1,"name":"a"},{"id":2}]""")]
    [InlineData("""[{"id":1},{"name":"b"}]""")]
    [InlineData("""[{},{}]""")]
    [InlineData("""[{"id":1,"tags":["a"]},{"id":2,"tags":[]}]""")]
    [InlineData("""[{"id":1,"owner":{"name":"a"}},{"id":2,"owner":{"name":"b"}}]""")]
    [InlineData("""[{"id":1,"id":2},{"id":3,"id":4}]""")]
    [InlineData("""[[1],[2]]""")]
    [InlineData("""{"id":1}""")]
    public void Other_values_are_not(string json) =>
        Assert.False(OutputShape.IsUniformArrayOfObjects(OutputSamples.Parse(json)));

    [Theory]
    [InlineData("""[{"id":1},{"id":2}]""")]
    [InlineData("""{"items":[{"id":1},{"id":2}],"page":1,"pageSize":2,"totalItems":2,"totalPages":1,"hasNext":false}""")]
    [InlineData("""{"result":[{"id":1},{"id":2}]}""")]
    [InlineData("""{"title":"t","nested":{"x":1},"rows":[{"id":1},{"id":2}]}""")]
    public void Auto_prefers_toon_for_a_uniform_array_or_an_object_holding_one_at_its_top_level(string json) =>
        Assert.True(OutputShape.PrefersToon(OutputSamples.Parse(json)));

    [Theory]
    [InlineData("3")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("""{"result":3}""")]
    [InlineData("""{"id":1,"name":"a"}""")]
    [InlineData("""{"items":[],"page":1}""")]
    [InlineData("""{"items":[{"id":1},{"name":"b"}],"page":1}""")]
    [InlineData("""{"items":[{"id":1,"tags":["a"]},{"id":2,"tags":["b"]}],"page":1}""")]
    [InlineData("""{"data":{"items":[{"id":1},{"id":2}]}}""")]
    [InlineData("""[1,2,3]""")]
    public void Auto_prefers_json_for_anything_else(string json) =>
        Assert.False(OutputShape.PrefersToon(OutputSamples.Parse(json)));
}
