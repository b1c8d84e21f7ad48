using System.Buffers;
using System.Text.Json;

namespace McpCqrs.Mcp.Dispatch;

/// <summary>
/// One UTF-8 buffer and JSON writer (<see cref="JsonRpcWire.WriterOptions"/>) per thread for each use
/// <typeparamref name="TUse"/>, reset for each document: for writing that does not await, so nothing else on the
/// thread writes to them meanwhile. A buffer a large document grew past the use's bound is not kept (<see cref="End"/>).
/// </summary>
/// <typeparam name="TUse">A struct naming the use: each use has buffers of its own, so one can be filled while another's are held.</typeparam>
internal static class ThreadJsonBuffer<TUse>
    where TUse : struct
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>This thread's writer for the use, reset, over its emptied <paramref name="buffer"/>.</summary>
    public static Utf8JsonWriter Start(int initialCapacity, out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(initialCapacity);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, JsonRpcWire.WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>Ends a document: a buffer grown past <paramref name="maxKept"/> bytes is left to the garbage collector.</summary>
    public static void End(int maxKept)
    {
        if (t_buffer is { } buffer && buffer.Capacity > maxKept)
        {
            (t_buffer, t_writer) = (null, null);
        }
    }
}
