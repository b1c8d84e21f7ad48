using System.Text.Json;
using System.Text.Json.Nodes;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Dispatch;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Eras;

/// <summary>
/// The <c>tools/list</c> page of both eras, written from each tool's JSON made once for the tool's life: a catalog
/// change makes new <see cref="Tool"/> instances (and so new JSON), the old ones' JSON goes with them.
/// </summary>
internal sealed class ToolListWriter(McpCatalog catalog)
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tool, byte[]>[] _toolJson = [new(), new()];

    /// <summary>
    /// <c>tools/list</c>, written from each tool's JSON made once for the tool's life (a binding keeps its
    /// <see cref="Tool"/>), with <c>execution.taskSupport</c> on the tools that may run as tasks when this host runs
    /// a task worker (absent means forbidden).
    /// </summary>
    public RawJson Write(ListToolsResult result, bool tasks)
    {
        var cache = _toolJson[tasks ? 1 : 0];
        System.Runtime.CompilerServices.ConditionalWeakTable<Tool, byte[]>.CreateValueCallback make = t => ToolJson(t, tasks);
        var tools = new byte[result.Tools.Count][];
        var size = 64;
        for (var i = 0; i < tools.Length; i++)
        {
            tools[i] = cache.GetValue(result.Tools[i], make);
            size += tools[i].Length + 1;
        }

        // Sized once from the tools' JSON: the page is copied into the buffer, never regrown.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(size);
        using (var writer = new Utf8JsonWriter(buffer, JsonRpcWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("tools");
            writer.WriteStartArray();
            foreach (var tool in tools)
            {
                writer.WriteRawValue(tool, skipInputValidation: true);
            }

            writer.WriteEndArray();
            if (result.NextCursor is { } next)
            {
                writer.WriteString("nextCursor", next);
            }

            writer.WriteEndObject();
        }

        return new RawJson(buffer.WrittenMemory);
    }

    private byte[] ToolJson(Tool tool, bool tasks)
    {
        var node = JsonSerializer.SerializeToNode(tool, JsonRpcWire.Options)!.AsObject();
        if (tasks && catalog.TryGetTool(tool.Name, out var binding) && ReferenceEquals(binding.Tool, tool) && binding.TaskSupport != TaskSupport.Forbidden)
        {
            node["execution"] = new JsonObject { ["taskSupport"] = binding.TaskSupport == TaskSupport.Required ? "required" : "optional" };
        }

        return JsonSerializer.SerializeToUtf8Bytes(node, JsonRpcWire.Options);
    }
}
