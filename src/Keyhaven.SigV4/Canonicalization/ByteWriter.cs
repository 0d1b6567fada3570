using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Keyhaven.SigV4.Canonicalization;

/// <summary>
/// Growable UTF-8 buffer backed by <see cref="ArrayPool{T}"/>. Used to build canonical requests without
/// per-request allocations. Must be disposed to return the buffer to the pool.
/// </summary>
internal ref struct ByteWriter
{
    private byte[] _buffer;
    private int _length;

    public ByteWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
    }

    public readonly int Length => _length;

    /// <summary>The rented array; valid until the next write that grows the buffer.</summary>
    public readonly byte[] RentedArray => _buffer;

    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Write(byte value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = value;
    }

    public void Write(scoped ReadOnlySpan<byte> value)
    {
        if (_buffer.Length - _length < value.Length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes <paramref name="value"/> as UTF-8.</summary>
    public void WriteUtf8(scoped ReadOnlySpan<char> value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_buffer.Length - _length < max)
        {
            Grow(max);
        }

        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> GetSpan(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        return _buffer.AsSpan(_length, count);
    }

    public void Advance(int count)
    {
        Debug.Assert(_length + count <= _buffer.Length);
        _length += count;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int additional)
    {
        int newSize = Math.Max(_buffer.Length * 2, _length + additional);
        byte[] next = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }
}
