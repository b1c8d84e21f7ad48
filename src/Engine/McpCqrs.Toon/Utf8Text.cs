using System.Buffers;
using System.Text;

namespace McpCqrs.Toon;

/// <summary>
/// The growing UTF-8 text of one TOON document: appends without the per-call checks of a general buffer writer, and
/// one array from the shared pool for the whole document (given back by <see cref="Dispose"/>).
/// </summary>
/// <remarks>Hand-written: <see cref="ArrayBufferWriter{T}"/> asks for a span and advances on every append, and a
/// <see cref="StringBuilder"/> holds UTF-16, which the writer would transcode twice (from the document, to the wire).</remarks>
internal sealed class Utf8Text : IDisposable
{
    private byte[] _bytes;
    private int _length;

    public Utf8Text(int capacity) => _bytes = ArrayPool<byte>.Shared.Rent(capacity);

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public int Capacity => _bytes.Length;

    public void Clear() => _length = 0;

    public void Append(byte value)
    {
        if (_length == _bytes.Length)
        {
            Grow(1);
        }

        _bytes[_length++] = value;
    }

    public void Append(ReadOnlySpan<byte> value)
    {
        if (value.Length > _bytes.Length - _length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_bytes.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="value"/> (indentation).</summary>
    public void Append(byte value, int count)
    {
        if (count > _bytes.Length - _length)
        {
            Grow(count);
        }

        _bytes.AsSpan(_length, count).Fill(value);
        _length += count;
    }

    /// <summary>Appends a non-negative integer in decimal.</summary>
    public void Append(int value)
    {
        if (_bytes.Length - _length < 11)
        {
            Grow(11);
        }

        value.TryFormat(_bytes.AsSpan(_length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Appends text that is all ASCII (a canonical number).</summary>
    public void AppendAscii(string value)
    {
        if (value.Length > _bytes.Length - _length)
        {
            Grow(value.Length);
        }

        _length += Encoding.ASCII.GetBytes(value, _bytes.AsSpan(_length));
    }

    private void Grow(int needed)
    {
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + needed));
        _bytes.AsSpan(0, _length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = grown;
    }

    public void Dispose()
    {
        var bytes = _bytes;
        _bytes = [];
        _length = 0;
        ArrayPool<byte>.Shared.Return(bytes);
    }
}
